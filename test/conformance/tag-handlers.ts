import {
  parseSdistFilename,
  parseWheelFilename,
  tryParseWheelFilename,
} from "../../src/standards/filename.ts";
import {
  androidPlatforms,
  compatibleTags,
  cpythonTags,
  genericTags,
  iosPlatforms,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  parseTag,
  selectByTags,
  sysTags,
  type TagFacts,
  tagRanks,
} from "../../src/standards/tags.ts";
import { type Case, compare, expectOutcome, type Handler, jsonNumber } from "./handlers.ts";

type Input = Record<string, any>;

function sorted(tags: Iterable<string>): string[] {
  return [...tags].sort();
}

/** The interpreter facts of a `sys_tags` vector, in the shape spice's inspection produces. */
function factsFromVector(interpreter: Input): TagFacts {
  const info = interpreter.version_info as number[];
  return {
    implementationName: interpreter.implementation_name,
    pythonVersion: [info[0], info[1]],
    configVars: interpreter.config_vars,
    hasGettotalrefcount: interpreter.has_gettotalrefcount,
    extensionSuffixes: interpreter.extension_suffixes,
    maxunicode: interpreter.maxunicode,
    sysconfigPlatform: interpreter.sysconfig_platform,
    platformSystem: interpreter.platform_system,
    pointerBits: interpreter.pointer_bits,
    glibcVersion: interpreter.glibc_version,
    muslVersion: interpreter.musl_version ?? null,
  };
}

export const TAG_HANDLERS: Record<string, Handler> = {
  wheel_filename: (c: Case) =>
    expectOutcome(c, () => {
      const wheel = parseWheelFilename(
        c.input.filename as string,
        (c.input.validate_order as boolean) ?? false,
      );
      return {
        valid: true,
        name: wheel.name,
        version: wheel.version.toString(),
        build: wheel.build.length === 0 ? [] : [jsonNumber(wheel.build[0]), wheel.build[1]],
        tags: sorted(wheel.tags),
      };
    }),
  sdist_filename: (c) =>
    expectOutcome(c, () => {
      const sdist = parseSdistFilename(c.input.filename as string);
      return { valid: true, name: sdist.name, version: sdist.version.toString() };
    }),
  parse_tag: (c) =>
    expectOutcome(c, () => ({
      valid: true,
      tags: sorted(parseTag(c.input.tag as string, (c.input.validate_order as boolean) ?? false)),
    })),
  cpython_tags: (c) => {
    const i = c.input as Input;
    return compare({ tags: cpythonTags(i.python_version, i.abis, i.platforms) }, c.expected);
  },
  generic_tags: (c) => {
    const i = c.input as Input;
    return compare({ tags: genericTags(i.interpreter, i.abis, i.platforms) }, c.expected);
  },
  compatible_tags: (c) => {
    const i = c.input as Input;
    return compare({ tags: compatibleTags(i.python_version, i.interpreter, i.platforms) }, c.expected);
  },
  mac_platforms: (c) => {
    const i = c.input as Input;
    return compare({ platforms: macPlatforms(i.version, i.arch) }, c.expected);
  },
  ios_platforms: (c) => {
    const i = c.input as Input;
    return compare({ platforms: iosPlatforms(i.version, i.multiarch) }, c.expected);
  },
  android_platforms: (c) => {
    const i = c.input as Input;
    return compare({ platforms: androidPlatforms(i.api_level, i.abi) }, c.expected);
  },
  manylinux_platforms: (c) => {
    const i = c.input as Input;
    return compare({ platforms: manylinuxPlatforms(i.glibc, i.archs) }, c.expected);
  },
  musllinux_platforms: (c) => {
    const i = c.input as Input;
    return compare({ platforms: musllinuxPlatforms(i.musl, i.archs) }, c.expected);
  },
  select_wheels: (c) => {
    const i = c.input as Input;
    const version = i.python_version as number[];
    const supported = [
      ...cpythonTags(version, i.abis, i.platforms),
      ...compatibleTags(version, `cp${version[0]}${version[1]}`, i.platforms),
    ];
    const selected = selectByTags(
      i.filenames as string[],
      (filename) => tryParseWheelFilename(filename)?.tags ?? null,
      tagRanks(supported),
    );
    return compare({ selected }, c.expected);
  },
  sys_tags: (c) => compare({ tags: sysTags(factsFromVector((c.input as Input).interpreter)) }, c.expected),
};
