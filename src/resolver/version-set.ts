// The solver's terms: a set over one package's possible values, its known versions plus "not
// selected", one byte per value. Every operation is exact over that finite universe, and cheap.

/** A set of a package's possible values: bit i = version i, the last bit = "not selected". */
export class VersionSet {
  constructor(
    readonly size: number,
    readonly bits: Uint8Array,
  ) {}

  static full(size: number): VersionSet {
    return new VersionSet(size, new Uint8Array(size + 1).fill(1));
  }
  static empty(size: number): VersionSet {
    return new VersionSet(size, new Uint8Array(size + 1));
  }
  static of(size: number, indices: Iterable<number>, notSelected = false): VersionSet {
    const set = VersionSet.empty(size);
    for (const index of indices) set.bits[index] = 1;
    if (notSelected) set.bits[size] = 1;
    return set;
  }

  get allowsNotSelected(): boolean {
    return this.bits[this.size] === 1;
  }
  has(index: number): boolean {
    return this.bits[index] === 1;
  }
  intersect(other: VersionSet): VersionSet {
    const bits = new Uint8Array(this.size + 1);
    for (let i = 0; i <= this.size; i++) bits[i] = this.bits[i] & other.bits[i];
    return new VersionSet(this.size, bits);
  }
  union(other: VersionSet): VersionSet {
    const bits = new Uint8Array(this.size + 1);
    for (let i = 0; i <= this.size; i++) bits[i] = this.bits[i] | other.bits[i];
    return new VersionSet(this.size, bits);
  }
  complement(): VersionSet {
    const bits = new Uint8Array(this.size + 1);
    for (let i = 0; i <= this.size; i++) bits[i] = this.bits[i] ^ 1;
    return new VersionSet(this.size, bits);
  }
  isEmpty(): boolean {
    return this.bits.every((bit) => bit === 0);
  }
  isFull(): boolean {
    return this.bits.every((bit) => bit === 1);
  }
  isSubsetOf(other: VersionSet): boolean {
    for (let i = 0; i <= this.size; i++) if (this.bits[i] === 1 && other.bits[i] === 0) return false;
    return true;
  }
  isDisjointFrom(other: VersionSet): boolean {
    for (let i = 0; i <= this.size; i++) if (this.bits[i] === 1 && other.bits[i] === 1) return false;
    return true;
  }
  /** How many versions (not "not selected") the set holds. */
  countVersions(): number {
    let count = 0;
    for (let i = 0; i < this.size; i++) count += this.bits[i];
    return count;
  }
  /** The first version index in the set, or -1. */
  firstVersion(): number {
    for (let i = 0; i < this.size; i++) if (this.bits[i] === 1) return i;
    return -1;
  }
  /** Version indices in the set (not "not selected"). */
  indices(): number[] {
    const result: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.bits[i] === 1) result.push(i);
    return result;
  }
}
