// Core metadata 1.0-2.5 (METADATA / PKG-INFO): the email headers (email-headers.ts) sorted into
// known fields and leftovers as packaging.metadata does, then validated strictly (all errors, each
// naming its field) or read field by field; core-metadata.ts reads leniently what an installer
// needs, since a sixth of real METADATA fails strict validation.

import { addHeader, scanEmailHeaders, selectedSimpleHeaders } from "./email-headers.ts";
import { canonicalizeLicenseExpression } from "./license.ts";
import { canonicalizeName, InvalidName } from "./name.ts";
import { pyStrip } from "./python-string.ts";
import { parseRequirement, type Requirement } from "./requirement.ts";
import { parseSpecifierSet, type SpecifierSet } from "./specifier.ts";
import { parseVersion, type Version } from "./version.ts";

export class InvalidMetadata extends Error {
  override name = "InvalidMetadata";
  constructor(
    /** The email header name of the field (`requires-dist`). */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type RawValue = string | string[] | Record<string, string>;
/** Known fields under packaging's raw names (`requires_dist`), multiple-use fields as lists. */
export type RawMetadata = Record<string, RawValue>;
/** Unknown, repeated single-use, and malformed fields, by lower-case header name. */
export type UnparsedMetadata = Record<string, string[]>;

const EMAIL_TO_RAW: Record<string, string> = {
  author: "author",
  "author-email": "author_email",
  classifier: "classifiers",
  description: "description",
  "description-content-type": "description_content_type",
  "download-url": "download_url",
  dynamic: "dynamic",
  "home-page": "home_page",
  "import-name": "import_names",
  "import-namespace": "import_namespaces",
  keywords: "keywords",
  license: "license",
  "license-expression": "license_expression",
  "license-file": "license_files",
  maintainer: "maintainer",
  "maintainer-email": "maintainer_email",
  "metadata-version": "metadata_version",
  name: "name",
  obsoletes: "obsoletes",
  "obsoletes-dist": "obsoletes_dist",
  platform: "platforms",
  "project-url": "project_urls",
  provides: "provides",
  "provides-dist": "provides_dist",
  "provides-extra": "provides_extra",
  requires: "requires",
  "requires-dist": "requires_dist",
  "requires-external": "requires_external",
  "requires-python": "requires_python",
  summary: "summary",
  "supported-platform": "supported_platforms",
  version: "version",
};
const RAW_TO_EMAIL: Record<string, string> = Object.fromEntries(
  Object.entries(EMAIL_TO_RAW).map(([email, raw]) => [raw, email]),
);

const STRING_FIELDS = new Set([
  "author",
  "author_email",
  "description",
  "description_content_type",
  "download_url",
  "home_page",
  "license",
  "license_expression",
  "maintainer",
  "maintainer_email",
  "metadata_version",
  "name",
  "requires_python",
  "summary",
  "version",
]);
const LIST_FIELDS = new Set([
  "classifiers",
  "dynamic",
  "license_files",
  "obsoletes",
  "obsoletes_dist",
  "platforms",
  "provides",
  "provides_dist",
  "provides_extra",
  "requires",
  "requires_dist",
  "requires_external",
  "supported_platforms",
  "import_names",
  "import_namespaces",
]);

export const METADATA_VERSIONS = ["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"] as const;
const REQUIRED = ["metadata_version", "name", "version"];

/** The metadata version that introduced each field. */
const FIELD_ADDED: Record<string, string> = {
  metadata_version: "1.0",
  name: "1.0",
  version: "1.0",
  dynamic: "2.2",
  platforms: "1.0",
  supported_platforms: "1.1",
  summary: "1.0",
  description: "1.0",
  description_content_type: "2.1",
  keywords: "1.0",
  home_page: "1.0",
  download_url: "1.1",
  author: "1.0",
  author_email: "1.0",
  maintainer: "1.2",
  maintainer_email: "1.2",
  license: "1.0",
  license_expression: "2.4",
  license_files: "2.4",
  classifiers: "1.1",
  requires_dist: "1.2",
  requires_python: "1.2",
  requires_external: "1.2",
  project_urls: "1.2",
  provides_extra: "2.1",
  provides_dist: "1.2",
  obsoletes_dist: "1.2",
  import_names: "2.5",
  import_namespaces: "2.5",
  requires: "1.1",
  provides: "1.1",
  obsoletes: "1.1",
};

// --- headers into fields ---------------------------------------------------------------------

/**
 * packaging's `parse_email`. With `only` (lower-case header names), every other header and the
 * body are left out: an installer reading a few fields need not convert all of them.
 */
export function parseMetadataEmail(
  text: string,
  only?: ReadonlySet<string>,
): { raw: RawMetadata; unparsed: UnparsedMetadata } {
  const raw: RawMetadata = {};
  const unparsed: UnparsedMetadata = {};
  let byName = only === undefined ? null : selectedSimpleHeaders(text, only);
  let body = "";
  if (byName === null) {
    const found = new Map<string, string[]>();
    const scanned = scanEmailHeaders(text, (name, value) => {
      const lower = name.toLowerCase();
      if (only === undefined || only.has(lower)) addHeader(found, lower, value);
      return false;
    }) as { bodyStart: number; pushedBack: string };
    if (only === undefined) body = scanned.pushedBack + text.slice(scanned.bodyStart);
    byName = found;
  }
  for (const [name, values] of byName) {
    const rawName = EMAIL_TO_RAW[name];
    if (rawName === undefined) unparsed[name] = values;
    else if (STRING_FIELDS.has(rawName) && values.length === 1) raw[rawName] = values[0];
    else if (rawName === "import_names" && values.length === 1 && values[0] === "") raw[rawName] = [];
    else if (LIST_FIELDS.has(rawName)) raw[rawName] = values;
    else if (rawName === "keywords" && values.length === 1) raw[rawName] = values[0].split(",").map(pyStrip);
    else if (rawName === "project_urls") {
      const urls = parseProjectUrls(values);
      if (urls === null) unparsed[name] = values;
      else raw[rawName] = urls;
    } else unparsed[name] = values;
  }
  if (body) {
    if ("description" in raw) {
      const header = raw.description as string;
      delete raw.description;
      (unparsed.description ??= []).push(header, body);
    } else if ("description" in unparsed) {
      unparsed.description.push(body);
    } else {
      raw.description = body;
    }
  }
  return { raw, unparsed };
}

function parseProjectUrls(values: readonly string[]): Record<string, string> | null {
  const urls: Record<string, string> = {};
  for (const pair of values) {
    const comma = pair.indexOf(",");
    const label = pyStrip(comma < 0 ? pair : pair.slice(0, comma));
    const url = comma < 0 ? "" : pyStrip(pair.slice(comma + 1));
    if (Object.hasOwn(urls, label)) return null; // duplicate labels
    urls[label] = url;
  }
  return urls;
}

// --- field validation --------------------------------------------------------------------------

/** A field in its enriched form, or the raw value where no conversion applies. */
export type FieldValue =
  | string
  | string[]
  | Record<string, string>
  | Version
  | SpecifierSet
  | Requirement[]
  | null;

function invalid(rawName: string, message: string): InvalidMetadata {
  return new InvalidMetadata(
    RAW_TO_EMAIL[rawName] ?? rawName,
    message.replaceAll("{field}", `'${RAW_TO_EMAIL[rawName] ?? rawName}'`),
  );
}

const PYTHON_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);
/** Made on first use: a Unicode property pattern costs about 0.4 ms to create (python-string.ts). */
let identifierPattern: RegExp | undefined;
const CONTENT_TYPES = ["text/plain", "text/x-rst", "text/markdown"];

/** Reads one field of `raw` into its enriched form, or throws InvalidMetadata naming the field. */
export function readField(raw: RawMetadata, rawName: string): FieldValue {
  const value = raw[rawName];
  if (value === undefined && !REQUIRED.includes(rawName)) return null;
  switch (rawName) {
    case "metadata_version":
      if (typeof value !== "string" || !(METADATA_VERSIONS as readonly string[]).includes(value)) {
        throw invalid(rawName, `'${value ?? "None"}' is not a valid metadata version`);
      }
      return value;
    case "name": {
      if (!value) throw invalid(rawName, "{field} is a required field");
      try {
        canonicalizeName(value as string, true);
      } catch (error) {
        if (error instanceof InvalidName) throw invalid(rawName, `'${value}' is invalid for {field}`);
        throw error;
      }
      return value;
    }
    case "version":
      if (!value) throw invalid(rawName, "{field} is a required field");
      try {
        return parseVersion(value as string);
      } catch {
        throw invalid(rawName, `'${value}' is invalid for {field}`);
      }
    case "summary":
      if ((value as string).includes("\n")) throw invalid(rawName, "{field} must be a single line");
      return value as string;
    case "description_content_type":
      checkContentType(value as string);
      return value as string;
    case "dynamic": {
      const lowered = (value as string[]).map((field) => field.toLowerCase());
      for (const field of lowered) {
        if (field === "name" || field === "version" || field === "metadata-version") {
          throw invalid(rawName, `'${field}' is not allowed as a dynamic field`);
        }
        if (!(field in EMAIL_TO_RAW)) throw invalid(rawName, `'${field}' is not a valid dynamic field`);
      }
      return lowered;
    }
    case "provides_extra":
      return (value as string[]).map((name) => {
        try {
          return canonicalizeName(name, true);
        } catch {
          throw invalid(rawName, `'${name}' is invalid for {field}`);
        }
      });
    case "requires_python":
      try {
        return parseSpecifierSet(value as string);
      } catch {
        throw invalid(rawName, `'${value}' is invalid for {field}`);
      }
    case "requires_dist":
      return (value as string[]).map((requirement) => {
        try {
          return parseRequirement(requirement);
        } catch {
          throw invalid(rawName, `'${requirement}' is invalid for {field}`);
        }
      });
    case "license_expression":
      try {
        return canonicalizeLicenseExpression(value as string);
      } catch {
        throw invalid(rawName, `'${value}' is invalid for {field}`);
      }
    case "license_files":
      for (const path of value as string[]) checkLicenseFile(rawName, path);
      return value as string[];
    case "import_names":
    case "import_namespaces":
      for (const importName of value as string[]) checkImportName(rawName, importName);
      return value as string[];
    default:
      return value as FieldValue;
  }
}

function checkContentType(value: string): void {
  const semicolon = value.indexOf(";");
  const head = pyStrip(semicolon < 0 ? value : value.slice(0, semicolon)).toLowerCase();
  const contentType = head.split("/").length === 2 ? head : "text/plain";
  const params = new Map<string, string>();
  if (semicolon >= 0) {
    for (const piece of value.slice(semicolon + 1).split(";")) {
      const equals = piece.indexOf("=");
      if (equals < 0) continue;
      let paramValue = pyStrip(piece.slice(equals + 1));
      if (paramValue.length >= 2 && paramValue.startsWith('"') && paramValue.endsWith('"')) {
        paramValue = paramValue.slice(1, -1);
      }
      params.set(pyStrip(piece.slice(0, equals)).toLowerCase(), paramValue);
    }
  }
  const field = "description-content-type";
  if (!CONTENT_TYPES.includes(contentType) || !value.toLowerCase().includes(contentType)) {
    throw new InvalidMetadata(field, `'${field}' must be one of ${CONTENT_TYPES.join(", ")}, not '${value}'`);
  }
  const charset = params.get("charset") ?? "UTF-8";
  if (charset !== "UTF-8")
    throw new InvalidMetadata(field, `'${field}' can only specify the UTF-8 charset, not '${charset}'`);
  const variant = params.get("variant") ?? "GFM";
  if (contentType === "text/markdown" && variant !== "GFM" && variant !== "CommonMark") {
    throw new InvalidMetadata(
      field,
      `valid Markdown variants for '${field}' are GFM, CommonMark, not '${variant}'`,
    );
  }
}

function checkLicenseFile(rawName: string, path: string): void {
  if (path.includes(".."))
    throw invalid(rawName, `'${path}' is invalid for {field}, parent directory indicators are not allowed`);
  if (path.includes("*")) throw invalid(rawName, `'${path}' is invalid for {field}, paths must be resolved`);
  const isWindowsAbsolute = /^[A-Za-z]:[\\/]/.test(path) || /^[\\/]{2}[^\\/]+[\\/]+[^\\/]/.test(path);
  if (path.startsWith("/") || isWindowsAbsolute)
    throw invalid(rawName, `'${path}' is invalid for {field}, paths must be relative`);
  if (windowsAsPosix(path) !== path)
    throw invalid(rawName, `'${path}' is invalid for {field}, paths must use '/' delimiter`);
}

/** `pathlib.PureWindowsPath(path).as_posix()` for the relative paths that reach this check. */
function windowsAsPosix(path: string): string {
  let drive = "";
  let rest = path;
  if (/^[A-Za-z]:/.test(rest)) {
    drive = rest.slice(0, 2);
    rest = rest.slice(2);
  }
  const rooted = /^[\\/]/.test(rest);
  const parts = rest.split(/[\\/]+/).filter((part) => part !== "" && part !== ".");
  const joined = parts.join("/");
  if (!drive && !rooted && joined === "") return ".";
  return `${drive}${rooted ? "/" : ""}${joined}`;
}

function checkImportName(rawName: string, importName: string): void {
  const semicolon = importName.indexOf(";");
  const name = (semicolon < 0 ? importName : importName.slice(0, semicolon)).replace(/[\s]+$/u, "");
  for (const identifier of name.split(".")) {
    if (!(identifierPattern ??= /^[\p{XID_Start}_][\p{XID_Continue}]*$/u).test(identifier)) {
      throw invalid(rawName, `'${name}' is invalid for {field}; '${identifier}' is not a valid identifier`);
    }
    if (PYTHON_KEYWORDS.has(identifier))
      throw invalid(rawName, `'${name}' is invalid for {field}; '${identifier}' is a keyword`);
  }
  if (semicolon >= 0 && importName.slice(semicolon + 1).replace(/^\s+/u, "") !== "private") {
    throw invalid(rawName, `'${importName}' is invalid for {field}; the only valid option is 'private'`);
  }
}

export interface MetadataValidation {
  /** Null when valid. */
  errorGroup: "unparsed" | "invalid or unparsed metadata" | null;
  errors: InvalidMetadata[];
  /** Every present or required field, read on its own. */
  fields: Map<string, FieldValue | InvalidMetadata>;
}

/** packaging's `Metadata.from_email(text, validate=True)`: every error, each naming its field. */
export function validateMetadata(raw: RawMetadata, unparsed: UnparsedMetadata): MetadataValidation {
  const fields = new Map<string, FieldValue | InvalidMetadata>();
  for (const rawName of new Set([...Object.keys(raw), ...REQUIRED])) {
    try {
      fields.set(rawName, readField(raw, rawName));
    } catch (error) {
      if (!(error instanceof InvalidMetadata)) throw error;
      fields.set(rawName, error);
    }
  }
  const unparsedErrors = Object.keys(unparsed).map(
    (key) =>
      new InvalidMetadata(
        key,
        key in EMAIL_TO_RAW ? `'${key}' has invalid data` : `unrecognized field: '${key}'`,
      ),
  );
  if (unparsedErrors.length > 0) return { errorGroup: "unparsed", errors: unparsedErrors, fields };

  const errors: InvalidMetadata[] = [];
  const versionOrError = fields.get("metadata_version");
  const metadataVersion = versionOrError instanceof InvalidMetadata ? null : (versionOrError as string);
  if (metadataVersion === null) errors.push(versionOrError as InvalidMetadata);
  for (const [rawName, result] of fields) {
    if (rawName === "metadata_version") continue;
    if (metadataVersion !== null) {
      const added = FIELD_ADDED[rawName];
      if (METADATA_VERSIONS.indexOf(added as never) > METADATA_VERSIONS.indexOf(metadataVersion as never)) {
        const field = RAW_TO_EMAIL[rawName];
        errors.push(
          new InvalidMetadata(
            field,
            `${field} introduced in metadata version ${added}, not ${metadataVersion}`,
          ),
        );
        continue;
      }
    }
    if (result instanceof InvalidMetadata) errors.push(result);
  }
  return { errorGroup: errors.length > 0 ? "invalid or unparsed metadata" : null, errors, fields };
}
