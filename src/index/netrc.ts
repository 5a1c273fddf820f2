// ~/.netrc as pip reads it (through requests and Python's netrc module): `machine NAME` and
// `default` entries with `login` (or `user`), `account` and `password`; `macdef` blocks, which run
// to the next empty line; tokens in double quotes and backslash escapes. A `#` where a keyword is
// expected comments out the rest of its line, as Python 3.8-3.10 and curl read it (3.11's parser
// fails on `#word` and on a comment after an empty line, and pip then reads no netrc at all). A
// file with another word where a keyword belongs gives no credentials, as with pip; the caller
// says why.

export interface NetrcLogin {
  username: string;
  password: string;
}

export class NetrcError extends Error {
  override name = "NetrcError";

  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
  }
}

/** Logins by machine name (`default` under "*"), or a NetrcError where Python's parser fails. */
export function parseNetrc(text: string): Map<string, NetrcLogin> {
  // Python reads the file in text mode: \r\n and a lone \r are newlines.
  const lexer = new Lexer(text.replace(/\r\n?/g, "\n"));
  const logins = new Map<string, NetrcLogin>();
  for (;;) {
    const keyword = lexer.token();
    if (keyword === "") break;
    if (lexer.isComment(keyword)) continue;
    let name: string;
    if (keyword === "machine") name = lexer.token();
    else if (keyword === "default") name = "*";
    else if (keyword === "macdef") {
      lexer.token();
      lexer.macro();
      continue;
    } else throw new NetrcError(`bad toplevel token '${keyword}'`, lexer.line);
    if (name === "") throw new NetrcError(`missing '${keyword}' name`, lexer.line);
    let login = "";
    let account = "";
    let password = "";
    for (;;) {
      const follower = lexer.token();
      if (lexer.isComment(follower)) continue;
      if (follower === "" || follower === "machine" || follower === "default" || follower === "macdef") {
        lexer.pushBack(follower);
        break;
      }
      if (follower === "login" || follower === "user") login = lexer.token();
      else if (follower === "account") account = lexer.token();
      else if (follower === "password") password = lexer.token();
      else throw new NetrcError(`bad follower token '${follower}'`, lexer.line);
    }
    // requests takes the account as the user name of an entry without a login.
    logins.set(name, { username: login === "" ? account : login, password });
  }
  return logins;
}

/** Python's netrc tokenizer: whitespace-separated, `"..."` quoting, `\` escaping one character. */
class Lexer {
  private at = 0;
  private pushed: string | null = null;
  line = 1;
  /** The line the last token began on. */
  private tokenLine = 1;

  constructor(private readonly text: string) {}

  private next(): string {
    const character = this.text[this.at++] ?? "";
    if (character === "\n") this.line++;
    return character;
  }

  token(): string {
    if (this.pushed !== null) {
      const token = this.pushed;
      this.pushed = null;
      return token;
    }
    let character = this.next();
    while (character !== "" && " \t\r\n".includes(character)) character = this.next();
    this.tokenLine = this.line;
    let token = "";
    if (character === '"') {
      for (character = this.next(); character !== "" && character !== '"'; character = this.next())
        token += character === "\\" ? this.next() : character;
      return token;
    }
    for (; character !== "" && !" \t\r\n".includes(character); character = this.next())
      token += character === "\\" ? this.next() : character;
    return token;
  }

  pushBack(token: string): void {
    this.pushed = token;
  }

  /**
   * Whether `token`, where a keyword belongs, opens a comment; if so, what is left of its line
   * is skipped (nothing is when the token ended it).
   */
  isComment(token: string): boolean {
    if (!token.startsWith("#")) return false;
    if (this.line === this.tokenLine) this.restOfLine();
    return true;
  }

  /** Skips what is left of the current line, its newline included. */
  restOfLine(): void {
    while (this.at < this.text.length && this.next() !== "\n");
  }

  /** A macro's lines, up to and including the empty line that ends it. */
  macro(): void {
    for (;;) {
      if (this.at >= this.text.length)
        throw new NetrcError("Macro definition missing null line terminator.", this.line);
      const start = this.at;
      this.restOfLine();
      if (this.text.slice(start, this.at) === "\n") return;
    }
  }
}
