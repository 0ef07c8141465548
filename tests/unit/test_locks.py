"""The locks in requirements/: what production runs is what the tests ran."""

import re

import pytest

from bot.settings import PROJECT_ROOT

REQUIREMENTS = PROJECT_ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Package -> (version, hashes) for every entry of a pip-compile lock."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", (REQUIREMENTS / lock).read_text()):
        match = PIN.match(entry)
        if match:
            name = re.sub(r"[-_.]+", "-", match[1]).lower()
            found[name] = (match[2], frozenset(re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)))
    return found


@pytest.mark.parametrize("lock", ["app.txt", "dev.txt", "rasa.txt"])
def test_every_package_is_pinned_with_a_hash(lock: str) -> None:
    entries = pins(lock)

    assert len(entries) > 100
    assert [name for name, (_, hashes) in entries.items() if not hashes] == []


def test_development_runs_production_packages_at_production_versions() -> None:
    production, development = pins("app.txt"), pins("dev.txt")

    assert {name: development.get(name) for name in production} == production
    assert {"pytest", "playwright", "aiosmtpd"} <= development.keys() - production.keys()


def test_torch_is_the_cpu_build() -> None:
    for lock in ("app.txt", "dev.txt"):
        assert pins(lock)["torch"][0] == "2.13.0+cpu"
