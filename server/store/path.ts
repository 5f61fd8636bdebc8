// Key paths as etcd's store sees them: Go's path.Clean("/" + p), split into segments, hidden
// names, and the byte-wise order etcd uses when asked for sorted listings.

/** No empty, "." or ".." segment and no trailing slash; one pass, as it runs on every request. */
function isClean(p: string): boolean {
  const n = p.length;
  if (n === 0 || p.charCodeAt(0) !== 47) return false;
  if (n === 1) return true;
  if (p.charCodeAt(n - 1) === 47) return false;
  for (let i = p.indexOf("/"); i >= 0; i = p.indexOf("/", i + 1)) {
    // A segment starts at i + 1 (never past the end: the path does not end in "/").
    const c1 = p.charCodeAt(i + 1);
    if (c1 === 47) return false;
    if (c1 !== 46) continue;
    if (i + 2 === n || p.charCodeAt(i + 2) === 47) return false;
    if (p.charCodeAt(i + 2) === 46 && (i + 3 === n || p.charCodeAt(i + 3) === 47)) return false;
  }
  return true;
}

/** Like Go's path.Clean(path.Join("/", p)): leading slash, no empty/./.. segments, no trailing slash. */
export function cleanPath(p: string): string {
  return isClean(p) ? p : cleanBySegments(p);
}

/** The rule itself, segment by segment (cleanPath skips it for a path that is already clean). */
export function cleanBySegments(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

/** Segments of a clean path; the root has none. */
export function pathSegments(cleanP: string): string[] {
  return cleanP === "/" ? [] : cleanP.slice(1).split("/");
}

export function joinPath(parentPath: string, name: string): string {
  return parentPath === "/" ? "/" + name : parentPath + "/" + name;
}

/** True when `p` is `ancestor` itself or lies below it. */
export function isAtOrBelow(p: string, ancestor: string): boolean {
  if (ancestor === "/") return true;
  return p === ancestor || (p.startsWith(ancestor) && p.charCodeAt(ancestor.length) === 47);
}

/** etcd hides a node whose own name starts with "_" (and so its subtree) from listings. */
export function isHiddenName(name: string): boolean {
  return name.charCodeAt(0) === 95;
}

/**
 * Go compares strings byte-wise (UTF-8). Code point order equals UTF-8 byte order, while JS `<`
 * compares UTF-16 units, which disagrees only when a surrogate meets a unit >= U+E000; shift
 * those so surrogates (astral code points) sort above the rest of the BMP.
 */
export function compareBytewise(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
