// The text Go's encoding/json gives for malformed input, which etcd returns verbatim in the
// members API (`{"message":"invalid character 'b' looking for beginning of object key string"}`).
// A small scanner following Go's state machine, only to name the first error the way Go does.

/** Go's quoteChar: the offending character in single quotes, escaped like strconv.Quote. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return "'" + q.slice(1, -1) + "'";
}

class SyntaxFailure extends Error {}

const WS = " \t\r\n";

/** Returns Go's message for the first syntax error in `text`, or null when it is valid JSON. */
export function goJsonSyntaxError(text: string): string | null {
  let i = 0;
  const fail = (context: string): never => {
    if (i >= text.length) throw new SyntaxFailure("unexpected end of JSON input");
    const cp = text.codePointAt(i)!;
    throw new SyntaxFailure(`invalid character ${quoteChar(String.fromCodePoint(cp))} ${context}`);
  };
  const skipWs = () => {
    while (i < text.length && WS.includes(text[i]!)) i++;
  };
  const digits = (context: string) => {
    if (!/[0-9]/.test(text[i] ?? "")) fail(context);
    while (/[0-9]/.test(text[i] ?? "")) i++;
  };
  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (text[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word[k]!)})`);
    }
    i++;
  };
  const string = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail("");
      const c = text[i]!;
      if (c === '"') return void i++;
      if (c < " ") fail("in string literal");
      if (c === "\\") {
        i++;
        const e = text[i] ?? "";
        if (e === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) fail("in \\u hexadecimal character escape");
          }
        } else if (!'"\\/bfnrt'.includes(e) || e === "") fail("in string escape code");
      }
      i++;
    }
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else digits("in numeric literal");
    if (text[i] === ".") {
      i++;
      digits("after decimal point in numeric literal");
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      digits("in exponent of numeric literal");
    }
  };
  const value = (): void => {
    skipWs();
    const c = text[i];
    if (c === "{") {
      i++;
      skipWs();
      if (text[i] === "}") return void i++;
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail("looking for beginning of object key string");
        string();
        skipWs();
        if (text[i] !== ":") fail("after object key");
        i++;
        value();
        skipWs();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") return void i++;
        fail("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      skipWs();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        skipWs();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") return void i++;
        fail("after array element");
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    fail("looking for beginning of value");
  };
  try {
    value();
    skipWs();
    if (i < text.length) fail("after top-level value");
    return null;
  } catch (e) {
    if (e instanceof SyntaxFailure) return e.message;
    throw e;
  }
}
