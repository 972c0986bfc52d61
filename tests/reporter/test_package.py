"""The reporter IHF serves (static/ihf/reporter.js) is the build of reporter/src: the committed file lets the
server run without Node, and this test keeps it from drifting from its source."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPORTER = Path(__file__).resolve().parents[2] / "reporter"


def test_the_served_reporter_is_a_fresh_build_of_its_source():
    node = shutil.which("node")
    assert node, "the reporter's build needs Node.js (bin/ihf test says how to get it)"
    if not (REPORTER / "node_modules" / "esbuild").is_dir():
        pytest.fail("reporter/node_modules is missing: bin/ihf test runs `npm ci` there")
    result = subprocess.run([node, "build.mjs", "--check"], cwd=REPORTER, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "matches a fresh build" in result.stdout


def test_the_package_declares_its_builds_and_types():
    package = json.loads((REPORTER / "package.json").read_text())
    assert package["exports"]["."]["types"] == "./types/index.d.ts"
    for entry in [".", "./react", "./vue"]:
        assert (REPORTER / package["exports"][entry]["types"]).is_file()
    assert (REPORTER / "package-lock.json").is_file()  # npm ci installs exactly what it pins


def test_the_set_up_says_what_to_install_when_npm_is_missing(tmp_path):
    tools = tmp_path / "bin"  # what sourcing bin/ihf needs, and no node nor npm
    tools.mkdir()
    (tools / "dirname").symlink_to(shutil.which("dirname"))
    result = subprocess.run(
        ["/bin/bash", "-c", "source bin/ihf; ensure_reporter"],
        cwd=REPORTER.parent,
        env={"PATH": str(tools), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "need Node.js >= 20.19 with npm, and npm was not found" in result.stderr
