import {
  type FieldValue,
  InvalidMetadata,
  parseMetadataEmail,
  validateMetadata,
} from "../../src/standards/metadata.ts";
import { Requirement } from "../../src/standards/requirement.ts";
import { SpecifierSet } from "../../src/standards/specifier.ts";
import { Version } from "../../src/standards/version.ts";
import { type Case, compare, type Handler } from "./handlers.ts";

function enriched(value: FieldValue): unknown {
  if (value instanceof Version || value instanceof SpecifierSet) return value.toString();
  if (Array.isArray(value))
    return value.map((item) => (item instanceof Requirement ? item.toString() : item));
  return value;
}

function errorKey(error: { field: string; type: string }): string {
  return `${error.field}\u0000${error.type}`;
}

function parse(testCase: Case): string | null {
  const { raw, unparsed } = parseMetadataEmail(testCase.input.text as string);
  const validation = validateMetadata(raw, unparsed);
  const expected = testCase.expected as Record<string, any>;
  const problems: string[] = [];
  const rawProblem = compare(raw, expected.raw);
  if (rawProblem) problems.push(`raw: ${rawProblem}`);
  const unparsedProblem = compare(unparsed, expected.unparsed);
  if (unparsedProblem) problems.push(`unparsed: ${unparsedProblem}`);
  const valid = validation.errorGroup === null;
  if (valid !== expected.valid) {
    problems.push(
      `valid: got ${valid}, want ${expected.valid} (${validation.errors.map((e) => `${e.field}: ${e.message}`).join("; ")})`,
    );
    return problems.join(" | ");
  }
  if (valid) {
    const metadata: Record<string, unknown> = {};
    for (const [name, value] of validation.fields) {
      if (name !== "description" && value !== null && !(value instanceof InvalidMetadata))
        metadata[name] = enriched(value);
    }
    const metadataProblem = compare(metadata, expected.metadata);
    if (metadataProblem) problems.push(`metadata: ${metadataProblem}`);
  } else if (stoppedByArtefact(expected.errors)) {
    // packaging let a Python error out of one field's check (a folded Description-Content-Type
    // makes the email module raise ValueError) and reported nothing else: such a document must
    // fail (README: artefacts read as "fails"); its fields are still compared below.
    problems.push(...fieldProblems(validation.fields, expected.fields));
  } else {
    if (validation.errorGroup !== expected.error_group) {
      problems.push(`error_group: got ${validation.errorGroup}, want ${expected.error_group}`);
    }
    // Messages are informative only: compare the fields and types of the errors.
    const got = validation.errors.map((e) => errorKey({ field: e.field, type: e.name })).sort();
    const want = (expected.errors as Array<{ field: string; type: string }>).map(errorKey).sort();
    const errorsProblem = compare(got, want);
    if (errorsProblem) problems.push(`errors: ${errorsProblem.replaceAll("\\u0000", ":")}`);
    problems.push(...fieldProblems(validation.fields, expected.fields));
  }
  return problems.length === 0 ? null : problems.join(" | ");
}

/** Whether the oracle's validation ended in an exception of Python's own, not packaging's. */
function stoppedByArtefact(errors: Array<{ type: string }>): boolean {
  return errors.some(({ type }) => !type.startsWith("Invalid") && !type.startsWith("Undefined"));
}

/** The lenient view: each field read on its own, a value or an error. */
function fieldProblems(
  got: Map<string, FieldValue | InvalidMetadata>,
  expected: Record<string, Record<string, unknown>>,
): string[] {
  const fields: Record<string, unknown> = {};
  const wantFields: Record<string, unknown> = {};
  for (const [name, value] of got) {
    if (name === "description") continue;
    fields[name] = value instanceof InvalidMetadata ? { error: true } : { value: enriched(value) };
  }
  for (const [name, value] of Object.entries(expected)) {
    wantFields[name] = "error" in value ? { error: true } : value;
  }
  const problem = compare(fields, wantFields);
  return problem ? [`fields: ${problem}`] : [];
}

export const METADATA_HANDLERS: Record<string, Handler> = { parse };
