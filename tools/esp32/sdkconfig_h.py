#!/usr/bin/env python3
"""
Makes the sdkconfig.h an ESP-IDF build would make, for `make check-esp32`
(docs/esp32.md §4), and checks the project's sdkconfig options against
ESP-IDF's Kconfig.

ESP-IDF generates sdkconfig.h with its own kconfgen (esp-idf-kconfig, from
PyPI). This uses Debian's python3-kconfiglib, the library kconfgen grew from,
on the same inputs: the Kconfig tree of IDF_PATH for one target, Moddable's
merged sdkconfig defaults (sdkconfig.mc, which mcconfig writes), and the
renames of the components' sdkconfig.rename files.

Usage: sdkconfig_h.py IDF_PATH TARGET SDKCONFIG_MC OUT_H OURS.defaults...
Exits 1 when an option in one of OURS is not a settable option of that Kconfig.
"""
import glob
import os
import re
import sys
import tempfile

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import kconfiglib  # noqa: E402

# ESP-IDF's Kconfig puts "help" on menus, which kconfiglib 14 does not expect.
_parse_help = kconfiglib.Kconfig._parse_help


def _parse_help_anywhere(self, node):
    try:
        node.help
    except AttributeError:
        node.help = None
    return _parse_help(self, node)


kconfiglib.Kconfig._parse_help = _parse_help_anywhere


def renames(idf):
    """old name -> (new name, inverted) from every sdkconfig.rename in the tree."""
    table = {}
    for path in glob.glob(os.path.join(idf, "components", "**", "sdkconfig.rename*"), recursive=True):
        if os.path.basename(path) not in ("sdkconfig.rename",) and not path.endswith(".rename." + TARGET):
            continue
        for line in open(path, encoding="utf-8"):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            old, new = line.split()[:2]
            table[old] = (new.lstrip("!"), new.startswith("!"))
    return table


def main():
    global TARGET
    idf, TARGET, merged, out_h = sys.argv[1:5]
    ours = [os.path.abspath(path) for path in sys.argv[5:]]
    idf, merged, out_h = os.path.abspath(idf), os.path.abspath(merged), os.path.abspath(out_h)
    work = tempfile.mkdtemp(prefix="impnet-kconfig-")
    sources = {
        "COMPONENT_KCONFIGS_SOURCE_FILE": sorted(glob.glob(os.path.join(idf, "components", "*", "Kconfig"))),
        "COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE": sorted(glob.glob(os.path.join(idf, "components", "*", "Kconfig.projbuild"))),
    }
    for variable, files in sources.items():
        path = os.path.join(work, variable + ".in")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(f'source "{file}"' for file in files) + "\n")
        os.environ[variable] = path
    os.environ.update(IDF_PATH=idf, IDF_TARGET=TARGET, IDF_TOOLCHAIN="gcc", IDF_INIT_VERSION="6.0.0", IDF_ENV_FPGA="", IDF_ENV_BRINGUP="")
    os.chdir(idf)
    kconfig = kconfiglib.Kconfig(os.path.join(idf, "Kconfig"), warn_to_stderr=False)

    # Old option names in the defaults are read as their new names, as kconfgen does.
    table = renames(idf)
    translated = os.path.join(work, "sdkconfig.in")
    with open(translated, "w", encoding="utf-8") as f:
        for line in open(merged, encoding="utf-8"):
            match = re.match(r"^(# )?CONFIG_(\w+)(=| is not set)(.*)$", line.rstrip("\n"))
            if match and ("CONFIG_" + match.group(2)) in table:
                new, inverted = table["CONFIG_" + match.group(2)]
                value = "n" if match.group(1) else match.group(4)
                if inverted and value in ("y", "n"):
                    value = "n" if value == "y" else "y"
                line = f"{new}={value}\n" if value != "n" else f"# {new} is not set\n"
            f.write(line)
    kconfig.warnings = []
    kconfig.load_config(translated)

    problems = []
    for path in ours:
        for number, line in enumerate(open(path, encoding="utf-8"), 1):
            match = re.match(r"^(?:# )?CONFIG_(\w+)(?:=| is not set)", line)
            if not match:
                continue
            name = match.group(1)
            symbol = kconfig.syms.get(name)
            where = f"{path}:{number}: CONFIG_{name}"
            if symbol is None or not symbol.nodes:
                renamed = table.get("CONFIG_" + name)
                problems.append(f"{where} is not an option of ESP-IDF {TARGET}'s Kconfig" + (f" (renamed {renamed[0]})" if renamed else ""))
            elif not any(node.prompt for node in symbol.nodes):
                problems.append(f"{where} has no prompt: ESP-IDF ignores a value for it")
            elif not symbol.visibility:
                problems.append(f"{where} cannot be set for {TARGET} (its dependencies are not met)")

    os.makedirs(os.path.dirname(os.path.abspath(out_h)), exist_ok=True)
    kconfig.write_autoconf(out_h, header="/* sdkconfig.h for impnet's `make check-esp32` (kconfiglib); not for building */\n")
    with open(out_h, "a", encoding="utf-8") as f:
        f.write("\n/* Deprecated names (sdkconfig.rename) */\n")
        for old, (new, inverted) in sorted(table.items()):
            symbol = kconfig.syms.get(new[len("CONFIG_"):])
            if symbol is None or inverted or not symbol.str_value or symbol.str_value == "n":
                continue
            f.write(f"#define {old} {new}\n")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
