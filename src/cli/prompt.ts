// A yes-or-no question on the terminal, for the few choices spice will not make alone (replacing
// a virtual environment and the packages in it) and pip's question before an uninstall. Never asked when input or messages are not a
// terminal: a script or CI gets the error that names the option instead of a hang.

import { read, writeSync } from "node:fs";
import { whenInterrupted } from "../util/interrupt.ts";
import { nodeTty } from "../util/lazy-builtins.ts";

/** Whether a question can be asked: stdin and stderr are a terminal. */
export function canAsk(): boolean {
  // isatty, not process.stdin: that would make stdin a stream (and non-blocking) for a synchronous read.
  return nodeTty().isatty(0) && nodeTty().isatty(2);
}

/**
 * Asks `question` on stderr and reads one line: yes for y or yes (any case), `answerIfEmpty` for
 * an empty line (pip's Proceed (Y/n) takes Enter for a yes), no for anything else. The line is
 * read without blocking the event loop, so that Ctrl-C at the question ends the command as
 * anywhere else (cli/interruptible.ts), its message on a line of its own under the question.
 */
export async function confirm(question: string, answerIfEmpty = false): Promise<boolean> {
  writeSync(2, question);
  const forget = whenInterrupted(() => writeSync(2, "\n"));
  let answer: string;
  try {
    answer = await readAnswer();
  } finally {
    forget();
  }
  const ended = !answer.includes("\n");
  if (ended) writeSync(2, "\n");
  const text = answer.trim();
  // End of input (Ctrl-D) with nothing typed is no answer, not an empty line.
  if (text === "") return !ended && answerIfEmpty;
  return /^y(es)?$/i.test(text);
}

/** One line from the terminal (with its newline), or what came before the end of input. */
async function readAnswer(): Promise<string> {
  const buffer = Buffer.alloc(256);
  let answer = "";
  while (!answer.includes("\n")) {
    let length: number;
    try {
      length = await new Promise<number>((resolve, reject) =>
        read(0, buffer, 0, buffer.length, null, (error, count) => (error ? reject(error) : resolve(count))),
      );
    } catch (error) {
      // A terminal another process left non-blocking: wait a little for the answer, not spin.
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      break;
    }
    if (length === 0) break; // end of input (Ctrl-D) is a no
    answer += buffer.toString("utf8", 0, length);
  }
  return answer;
}
