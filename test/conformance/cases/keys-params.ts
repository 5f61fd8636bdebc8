// Keys API parameters and errors: compare-and-swap/delete, booleans, integer parsing, validation
// order, form vs query precedence, body limits, path cleaning, methods, HEAD, quorum and
// noValueOnSuccess (keys-api.md §2, §3, §4, §11).
import type { Sequence, Step } from "../harness/types.ts";
import { del, get, head, post, put } from "./steps.ts";

const trueSpellings = ["1", "t", "T", "TRUE", "true", "True"];
const falseSpellings = ["0", "f", "F", "FALSE", "false", "False"];
const badSpellings = ["", "yes", "on", "tRUE", "2"];

function boolCases(): Step[] {
  const steps: Step[] = [put("{k}/d/x", { value: "1" })];
  for (const v of [...trueSpellings, ...falseSpellings]) steps.push(get(`{k}/d?recursive=${v}`));
  for (const v of badSpellings) steps.push(get(`{k}/d?recursive=${v}`));
  steps.push(get("{k}/d?recursive"));
  for (const name of ["sorted", "wait", "quorum"]) steps.push(get(`{k}/d?${name}=yes`));
  steps.push(get("{k}/d/x?wait=true&stream=maybe"));
  steps.push(put("{k}/e?dir=yes"));
  steps.push(del("{k}/d/x?dir=nope"));
  steps.push(del("{k}/d?recursive=nope"));
  steps.push(put("{k}/e?noValueOnSuccess=yes", { value: "1" }));
  steps.push(put("{k}/e?prevExist=yes", { value: "1" }));
  steps.push(put("{k}/e?refresh=yes&ttl=500"));
  for (const v of ["t", "1", "True"]) steps.push(put(`{k}/p${v}?prevExist=${v}`, { value: "x" }));
  for (const v of ["f", "0", "False"]) steps.push(put(`{k}/p${v}?prevExist=${v}`, { value: "x" }));
  return steps;
}

export const keysParams: Sequence[] = [
  {
    name: "compare and swap",
    steps: [
      put("{k}/foo", { value: "one" }),
      put("{k}/foo?prevValue=one", { value: "two" }, { expect: { status: 200 } }),
      put("{k}/foo?prevValue=one", { value: "three" }, { expect: { status: 412 } }),
      put("{k}/foo?prevIndex={i+1}", { value: "x" }),
      put("{k}/foo?prevIndex={i+2}", { value: "three" }),
      put("{k}/foo?prevValue=nope&prevIndex={i+1}", { value: "x" }),
      put("{k}/foo?prevValue=three&prevIndex={i+1}", { value: "x" }),
      put("{k}/foo?prevValue=three&prevIndex={i+3}", { value: "four", ttl: "100" }),
      put("{k}/foo?prevValue=four", { value: "five" }),
      put("{k}/foo?prevIndex=0", { value: "six" }),
      put("{k}/foo?prevExist=true", { value: "seven" }),
      put("{k}/foo?prevExist=true&prevValue=seven", { value: "eight" }),
      put("{k}/foo?prevExist=true&prevValue=seven", { value: "nine" }),
      put("{k}/foo?prevExist=true&prevIndex={i+8}", { value: "nine" }),
      put("{k}/foo?prevExist=false&prevValue=zzz", { value: "x" }),
      put("{k}/created?prevExist=false&prevValue=zzz&prevIndex=7", { value: "x" }),
      put("{k}/missing?prevValue=x", { value: "y" }),
      put("{k}/missing?prevIndex=3", { value: "y" }),
      put("{k}/foo?prevValue=", { value: "y" }),
      put("{k}/foo?prevIndex=abc", { value: "y" }),
      put("{k}/foo?prevIndex=-1", { value: "y" }),
      put("{k}/foo?prevIndex=1.5", { value: "y" }),
      put("{k}/foo?prevIndex=", { value: "y" }),
      get("{k}/foo"),
    ],
  },
  {
    name: "compare and delete",
    steps: [
      put("{k}/cad", { value: "one" }),
      del("{k}/cad?prevValue=two"),
      del("{k}/cad?prevIndex={i+5}"),
      del("{k}/cad?prevValue=two&prevIndex={i+5}"),
      del("{k}/cad?prevValue="),
      del("{k}/cad?prevIndex=x"),
      del("{k}/cad?prevValue=one", { expect: { status: 200 } }),
      put("{k}/cad", { value: "again" }),
      del("{k}/cad?prevIndex={i+2}"),
      del("{k}/cad?prevValue=one"),
      del("{k}/cad?prevIndex=0"),
      put("{k}/cad2", { value: "v" }),
      del("{k}/cad2?prevIndex=0"),
      del("{k}/missing?prevValue=x"),
      del("{k}/missing/deeper?prevIndex=4"),
    ],
  },
  { name: "boolean spellings", steps: boolCases() },
  {
    name: "integers and ttl parsing",
    steps: [
      put("{k}/t?ttl=abc", { value: "1" }),
      put("{k}/t?ttl=-1", { value: "1" }),
      put("{k}/t?ttl=1.5", { value: "1" }),
      put("{k}/t?ttl=0x1000", { value: "1" }),
      put("{k}/t?ttl=+500", { value: "1" }),
      put("{k}/t?ttl=", { value: "permanent" }),
      put("{k}/t?ttl=0300", { value: "leading zeros" }),
      get("{k}/t"),
      get("{k}/t?wait=true&waitIndex=abc"),
      get("{k}/t?wait=true&waitIndex=-3"),
      get("{k}/t?wait=false&waitIndex=abc"),
      get("{k}/t?waitIndex=abc"),
    ],
  },
  {
    name: "validation order",
    steps: [
      put("{k}/v?prevIndex=x&waitIndex=y&recursive=bad"),
      put("{k}/v?waitIndex=y&recursive=bad"),
      put("{k}/v?recursive=bad&sorted=bad"),
      put("{k}/v?sorted=bad&wait=bad"),
      put("{k}/v?wait=bad&dir=bad"),
      put("{k}/v?dir=bad&quorum=bad"),
      put("{k}/v?quorum=bad&stream=bad"),
      put("{k}/v?stream=bad&wait=true"),
      put("{k}/v?wait=true&prevValue="),
      post("{k}/v?wait=true"),
      del("{k}/v?wait=true"),
      put("{k}/v?prevValue=&noValueOnSuccess=bad"),
      put("{k}/v?noValueOnSuccess=bad&ttl=bad"),
      put("{k}/v?ttl=bad&prevExist=bad"),
      put("{k}/v?prevExist=bad&refresh=bad"),
      put("{k}/v?refresh=true&ttl=500", { value: "given" }),
      put("{k}/v?refresh=true", { value: "given" }),
      put("{k}/v?refresh=true"),
      put("{k}/v?refresh=true&ttl=500"),
      put("{k}/v?refresh=true&ttl=500&prevExist=true"),
    ],
  },
  {
    name: "form and query",
    steps: [
      put("{k}/fq?value=fromquery", { value: "frombody" }),
      get("{k}/fq"),
      put("{k}/fq?value=onlyquery"),
      get("{k}/fq"),
      put("{k}/fq", "value=first&value=second"),
      put("{k}/fq?value=a&value=b"),
      put("{k}/fq?prevExist=false", { prevExist: "true", value: "body says update" }),
      put("{k}/fq2?prevExist=true", { prevExist: "false", value: "body says create" }),
      put("{k}/fq?ttl=abc", { ttl: "", value: "body ttl wins" }),
      put("{k}/fq", undefined, { body: '{"value":"json"}', headers: { "Content-Type": "application/json" } }),
      get("{k}/fq"),
      put("{k}/fq?value=q", undefined, { body: "value=plain", headers: { "Content-Type": "text/plain" } }),
      post("{k}/fqdir?dir=false", { dir: "true" }),
      get("{k}/fqdir?recursive=true&sorted=true"),
      del("{k}/fq?prevValue=nope", { form: { prevValue: "body says create" } }),
      get("{k}/fq?recursive=false", { form: { recursive: "bad" }, raw: true }),
    ],
  },
  {
    name: "body size",
    steps: [
      put("{k}/big", { value: "b".repeat(2 * 1024 * 1024) }, { expect: { status: 201 } }),
      head("{k}/big"),
      put("{k}/huge", { value: "h".repeat(10 * 1024 * 1024 + 16) }),
      get("{k}/huge"),
    ],
  },
  {
    name: "path cleaning",
    steps: [
      put("{k}/clean/", { value: "trailing" }),
      get("{k}/clean"),
      get("{k}/clean/"),
      get("{k}/clean//", { followRedirect: true }),
      get("{k}//clean", { raw: true, followRedirect: true }),
      get("{k}/./clean", { raw: true, followRedirect: true }),
      get("{k}/x/../clean", { raw: true, followRedirect: true }),
      get("/v2/zz/../keys/path-cleaning/clean", { raw: true, followRedirect: true }),
      put("{k}/a%2Fb", { value: "escaped slash" }),
      get("{k}/a?recursive=true"),
      get("{k}/a%2Fb"),
      put("{k}/q%3Fmark", { value: "question" }),
      get("{k}/q%3Fmark"),
      get("{k}?recursive=true"),
    ],
  },
  {
    name: "methods and HEAD",
    steps: [
      put("{k}/m", { value: "v" }),
      { method: "PATCH", path: "{k}/m", form: { value: "p" } },
      { method: "PROPFIND", path: "{k}/m", raw: true },
      { method: "TRACE", path: "{k}/m", raw: true },
      head("{k}/m"),
      head("{k}/missing"),
      head("{k}"),
      head("{k}?recursive=bad"),
      head("{k}/m?wait=true", { raw: true }),
      get("{k}/m"),
    ],
  },
  {
    name: "quorum reads",
    steps: [
      put("{k}/qk", { value: "v" }),
      get("{k}/qk?quorum=true"),
      get("{k}?quorum=true&recursive=true"),
      get("{k}/missing?quorum=true"),
      head("{k}/qk?quorum=true"),
    ],
  },
  {
    name: "noValueOnSuccess",
    steps: [
      put("{k}/n?noValueOnSuccess=true", { value: "1" }, { expect: { status: 201 } }),
      put("{k}/n?noValueOnSuccess=true", { value: "2" }),
      put("{k}/n?noValueOnSuccess=true&prevExist=true", { value: "3" }),
      put("{k}/n?noValueOnSuccess=true&prevValue=3", { value: "4" }),
      put("{k}/n2?noValueOnSuccess=true&prevExist=false", { value: "1" }),
      post("{k}/q?noValueOnSuccess=true", { value: "1" }),
      put("{k}/n?noValueOnSuccess=true&prevValue=nope", { value: "5" }),
      put("{k}/n?noValueOnSuccess=false", { value: "6" }),
      put("{k}/d?noValueOnSuccess=true&dir=true"),
      del("{k}/n?noValueOnSuccess=true"),
      del("{k}/n2?noValueOnSuccess=true&prevValue=1"),
      get("{k}/d?noValueOnSuccess=true"),
    ],
  },
];

keysParams.push({
  // etcd ignores the Host header; clients behind proxies or using DNS names send other values.
  name: "host header",
  steps: [
    put("{k}/h", { value: "v" }),
    get("{k}/h", { raw: true, headers: { Host: "x" } }),
    get("{k}/h", { raw: true, headers: { Host: "localhost" } }),
    get("{k}/h", { raw: true, headers: { Host: "etcd.example.com:2379" } }),
  ],
});
