// Key paths as etcd's store sees them: Go's path.Clean("/" + p), split into segments, hidden
// names, and the byte-wise order etcd uses when asked for sorted listings.

function isClean(p: string): boolean {
  if (p === "/") return true;
  return (
    p.charCodeAt(0) === 47 &&
    p.charCodeAt(p.length - 1) !== 47 &&
    !p.includes("//") &&
    !p.includes("/./") &&
    !p.includes("/../") &&
    !p.endsWith("/.") &&
    !p.endsWith("/..")
  );
}

/** Like Go's path.Clean(path.Join("/", p)): leading slash, no empty/./.. segments, no trailing slash. */
export function cleanPath(p: string): string {
  if (isClean(p)) return p;
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
