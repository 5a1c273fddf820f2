// The context-sensitive tokenizer behind PEP 508 requirements and markers. It follows packaging's
// token rules exactly, including their quirks: names end at a Unicode word boundary (so `foo_` is a
// name and `foo-` is not), and the end of input also matches just before a final newline.

import { isWordBoundary } from "./python-string.ts";
import { SPECIFIER_PATTERN } from "./specifier.ts";

export class ParserSyntaxError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly span: readonly [number, number],
  ) {
    super(message);
  }

  /** The message with the source and a caret under the failing span, as packaging prints it. */
  describe(): string {
    const marker = `${" ".repeat(this.span[0])}${"~".repeat(this.span[1] - this.span[0])}^`;
    return `${this.message}\n    ${this.source}\n    ${marker}`;
  }
}

export type TokenName =
  | "LEFT_PARENTHESIS"
  | "RIGHT_PARENTHESIS"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "SEMICOLON"
  | "COMMA"
  | "QUOTED_STRING"
  | "OP"
  | "BOOLOP"
  | "IN"
  | "NOT"
  | "VARIABLE"
  | "SPECIFIER"
  | "AT"
  | "URL"
  | "IDENTIFIER"
  | "VERSION_PREFIX_TRAIL"
  | "VERSION_LOCAL_LABEL_TRAIL"
  | "WS"
  | "END";

/** Returns the length of the token at `pos`, or -1 when it does not match there. */
type Rule = (source: string, pos: number) => number;

function sticky(pattern: string, flags = ""): Rule {
  const regex = new RegExp(pattern, `y${flags}`);
  return (source, pos) => {
    regex.lastIndex = pos;
    const match = regex.exec(source);
    return match === null ? -1 : match[0].length;
  };
}

function literal(char: string): Rule {
  return (source, pos) => (source[pos] === char ? 1 : -1);
}

/** `\b(w1|w2|...)\b`: the first alternative that is followed by a word boundary. */
function words(alternatives: readonly string[]): Rule {
  return (source, pos) => {
    if (!isWordBoundary(source, pos)) return -1;
    for (const word of alternatives) {
      if (source.startsWith(word, pos) && isWordBoundary(source, pos + word.length)) return word.length;
    }
    return -1;
  };
}

const VARIABLES = [
  "python_version",
  "python_full_version",
  "os.name",
  "os_name",
  "sys.platform",
  "sys_platform",
  "platform_release",
  "platform_system",
  "platform.version",
  "platform_version",
  "platform.machine",
  "platform_machine",
  "platform.python_implementation",
  "platform_python_implementation",
  "python_implementation",
  "implementation_name",
  "implementation_version",
  "extras",
  "extra",
  "dependency_groups",
];

function isIdentifierChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x2d
  );
}

/** `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, backtracking to the longest prefix that ends on a boundary. */
const identifier: Rule = (source, pos) => {
  const first = source.charCodeAt(pos);
  const isAlnum =
    (first >= 0x30 && first <= 0x39) || (first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a);
  if (!isAlnum || !isWordBoundary(source, pos)) return -1;
  let end = pos + 1;
  while (end < source.length && isIdentifierChar(source.charCodeAt(end))) end++;
  for (; end > pos; end--) if (isWordBoundary(source, end)) return end - pos;
  return -1;
};

const RULES: Record<TokenName, Rule> = {
  LEFT_PARENTHESIS: literal("("),
  RIGHT_PARENTHESIS: literal(")"),
  LEFT_BRACKET: literal("["),
  RIGHT_BRACKET: literal("]"),
  SEMICOLON: literal(";"),
  COMMA: literal(","),
  QUOTED_STRING: sticky(`'[^']*'|"[^"]*"`),
  OP: sticky("===|==|~=|!=|<=|>=|<|>"),
  BOOLOP: words(["or", "and"]),
  IN: words(["in"]),
  NOT: words(["not"]),
  VARIABLE: words(VARIABLES),
  SPECIFIER: sticky(SPECIFIER_PATTERN, "i"),
  AT: literal("@"),
  URL: sticky("[^ \\t]+"),
  IDENTIFIER: identifier,
  VERSION_PREFIX_TRAIL: sticky("\\.\\*"),
  VERSION_LOCAL_LABEL_TRAIL: sticky("\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*"),
  WS: sticky("[ \\t]+"),
  // Python's `$` also matches before a newline that ends the string.
  END: (source, pos) =>
    pos === source.length || (pos === source.length - 1 && source[pos] === "\n") ? 0 : -1,
};

export interface Token {
  readonly name: TokenName;
  readonly text: string;
  readonly position: number;
}

export class Tokenizer {
  position = 0;
  private nextToken: Token | null = null;

  constructor(readonly source: string) {}

  /** Reads the token if it is next. */
  consume(name: TokenName): void {
    if (this.check(name)) this.read();
  }

  /** Whether the next token is `name`; unless `peek`, it must then be read before another check. */
  check(name: TokenName, peek = false): boolean {
    const length = RULES[name](this.source, this.position);
    if (length < 0) return false;
    if (!peek)
      this.nextToken = {
        name,
        text: this.source.slice(this.position, this.position + length),
        position: this.position,
      };
    return true;
  }

  expect(name: TokenName, expected: string): Token {
    if (!this.check(name)) this.raiseSyntaxError(`Expected ${expected}`);
    return this.read();
  }

  read(): Token {
    const token = this.nextToken;
    if (token === null) throw new Error("Tokenizer.read() without a checked token");
    this.position += token.text.length;
    this.nextToken = null;
    return token;
  }

  raiseSyntaxError(message: string, spanStart?: number, spanEnd?: number): never {
    throw new ParserSyntaxError(message, this.source, [spanStart ?? this.position, spanEnd ?? this.position]);
  }

  /** Parses `body` between optional open/close tokens; an opened token must be closed. */
  enclosing<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    let openPosition: number | null = null;
    if (this.check(open)) {
      openPosition = this.position;
      this.read();
    }
    const result = body();
    if (openPosition === null) return result;
    if (!this.check(close)) {
      this.raiseSyntaxError(`Expected matching ${close} for ${open}, after ${around}`, openPosition);
    }
    this.read();
    return result;
  }
}
