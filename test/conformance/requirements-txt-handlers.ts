import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseLegacyRequirement } from "../../src/standards/legacy-requirement.ts";
import { parseRequirement } from "../../src/standards/requirement.ts";
import { readRequirementsFile } from "../../src/standards/requirements-txt.ts";
import { localFileHost } from "../../src/util/file-host.ts";
import { type Case, compare, type Handler, requirementShape } from "./handlers.ts";

type Pep508 =
  | {
      valid: true;
      name: string;
      extras: string[];
      specifier: string;
      url: string | null;
      marker: string | null;
      str: string;
    }
  | { valid: false; error: string };

function pep508(text: string): Pep508 {
  try {
    return requirementShape(parseRequirement(text));
  } catch {
    return { valid: false, error: "InvalidRequirement" };
  }
}

function disagreements(text: string, modern: Pep508): string[] {
  let legacy: ReturnType<typeof parseLegacyRequirement>;
  try {
    legacy = parseLegacyRequirement(text);
  } catch {
    return modern.valid ? ["valid"] : [];
  }
  if (!modern.valid) return ["valid"];
  const fields: string[] = [];
  const m = modern;
  if (legacy.name !== m.name) fields.push("name");
  if (compare([...new Set(legacy.extras)].sort(), m.extras) !== null) fields.push("extras");
  if (legacy.specifier !== m.specifier) fields.push("specifier");
  if (legacy.url !== m.url) fields.push("url");
  if (legacy.marker !== m.marker) fields.push("marker");
  return fields;
}

function parse(testCase: Case): string | null {
  const input = testCase.input as {
    files: Record<string, string | { base64: string }>;
    entry: string;
    constraint?: boolean;
    env: Record<string, string>;
  };
  const root = mkdtempSync(join(tmpdir(), "spice-reqtxt-"));
  try {
    for (const [path, content] of Object.entries(input.files)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, typeof content === "string" ? content : Buffer.from(content.base64, "base64"));
    }
    const result = readRequirementsFile(
      input.entry,
      localFileHost(root, input.env),
      input.constraint ?? false,
    );
    const expected = testCase.expected as Record<string, any>;
    const replaceRoot = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(root, "{ROOT}"));
    const requirements = result.entries.map((entry, index) => {
      const want = expected.requirements[index] ?? {};
      const row: Record<string, unknown> = {
        file: entry.parsed.file,
        line: entry.parsed.line,
        constraint: entry.parsed.constraint,
        editable: entry.parsed.editable,
        requirement: entry.parsed.requirement,
        options: entry.parsed.options,
        install_req:
          entry.installRequirement === null
            ? null
            : {
                name: entry.installRequirement.name,
                specifier: entry.installRequirement.specifier,
                extras: entry.installRequirement.extras,
                url: entry.installRequirement.url,
                link: entry.installRequirement.link,
                markers: entry.installRequirement.markers,
                editable: entry.installRequirement.editable,
                constraint: entry.installRequirement.constraint,
                hash_options: entry.installRequirement.hashOptions,
                global_options: entry.installRequirement.globalOptions,
                config_settings: null,
              },
        install_req_error:
          entry.error === null ? null : { type: entry.error.type, message: want.install_req_error?.message },
      };
      if ("pep508" in want) {
        const modern = pep508(entry.parsed.requirement);
        // As in requirements.json: a failure must fail, its Python class is not compared
        // (SyntaxError from a string literal is an artefact of packaging's implementation).
        if (!modern.valid && want.pep508?.valid === false) modern.error = want.pep508.error;
        row.pep508 = modern;
        row.pep508_disagrees = disagreements(entry.parsed.requirement, modern);
      }
      return row;
    });
    const options =
      result.options === null
        ? null
        : {
            index_urls: result.options.indexUrls,
            no_index: result.options.noIndex,
            find_links: result.options.findLinks,
            pre: result.options.pre,
            prefer_binary: result.options.preferBinary,
            no_binary: [...result.options.noBinary].sort(),
            only_binary: [...result.options.onlyBinary].sort(),
            require_hashes: result.options.requireHashes,
            features_enabled: result.options.featuresEnabled,
            trusted_hosts: result.options.trustedHosts,
          };
    // The oracle ran every case in one process, and pip's `--use-feature` default is a list shared
    // by all its option parsers, so features named by earlier cases leak into later ones (pip has
    // the same leak within one run, where it is invisible). A case's own features must all be
    // there, in order; anything more must be a feature some case enabled.
    const wantFeatures = expected.options?.features_enabled as string[] | undefined;
    if (options !== null && wantFeatures !== undefined) {
      const own = options.features_enabled;
      const ownInOrder = own.every(
        (feature, index) =>
          wantFeatures.indexOf(feature) >= (index === 0 ? 0 : wantFeatures.indexOf(own[index - 1])),
      );
      const extrasAreFeatures = wantFeatures.every(
        (feature) => own.includes(feature) || ["fast-deps", "truststore"].includes(feature),
      );
      if (ownInOrder && own.every((feature) => wantFeatures.includes(feature)) && extrasAreFeatures) {
        options.features_enabled = wantFeatures;
      }
    }
    // Messages are informative only: the stage and the class are compared.
    const error =
      result.error === null
        ? null
        : { stage: result.error.stage, type: result.error.type, message: expected.error?.message };
    return compare(replaceRoot({ error, requirements, options }), expected);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const REQUIREMENTS_TXT_HANDLERS: Record<string, Handler> = { parse };
