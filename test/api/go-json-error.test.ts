import { expect, test } from "bun:test";
import { goJsonSyntaxError } from "../../server/api/go-json-error.ts";

// Each message was observed from etcd 3.4.23's POST /v2/members with that body.
test.each([
  ["{bad", "invalid character 'b' looking for beginning of object key string"],
  ["", "unexpected end of JSON input"],
  ['{"peerURLs":', "unexpected end of JSON input"],
  ['{"peerURLs":["a"', "unexpected end of JSON input"],
  ['{"a":1 "b"', "invalid character '\"' after object key:value pair"],
  ["nul1", "invalid character '1' in literal null (expecting 'l')"],
  ['{"a":-}', "invalid character '}' in numeric literal"],
  ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
  ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
  ['{"a":"x\\q"}', "invalid character 'q' in string escape code"],
  ["{} x", "invalid character 'x' after top-level value"],
  ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
  ['{"a"}', "invalid character '}' after object key"],
  ['{"a":[1 2]}', "invalid character '2' after array element"],
])("%j", (body, message) => {
  expect(goJsonSyntaxError(body)).toBe(message);
});

test("valid JSON has no error", () => {
  for (const ok of ['{"peerURLs":["http://a:1"]}', " [1, -2.5e+3, true, false, null, \"\\u00e9\"] ", '"x"']) expect(goJsonSyntaxError(ok)).toBeNull();
});
