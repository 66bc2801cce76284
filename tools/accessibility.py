"""Check report pages for accessibility with axe-core in Debian's Chromium (WCAG 2.0/2.1, levels A and AA).

Usage: ``python tools/accessibility.py [PAGE.html …]`` (default: the index, every profile and every evaluation of
``reports/latest``), or ``make accessibility``. Prints each page's violations (rule, impact, the elements and
why) and exits 1 when there is any. axe-core comes from npm (``tools/axe``, pinned with its integrity hash in
``package-lock.json``; ``make accessibility`` installs it); the tests import :func:`check_pages`.

axe answers "needs review" for what only a person can judge (for example text over an image); those are counted,
not failed: a reader of the result looks at them.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
#: The rules of WCAG 2.1 level AA (with A, the levels below it), as axe tags them.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class PageResult:
    """What axe found on one page."""

    page: str
    violations: list[dict] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    passes: int = 0

    def lines(self) -> list[str]:
        """The result as a reader reads it: one line per page, one per violation and element."""
        review = f" ({', '.join(self.incomplete)})" if self.incomplete else ""
        head = (f"{self.page}: {len(self.violations)} violations, {self.passes} rules passed, "
                f"{len(self.incomplete)} to review by hand{review}")
        lines = [head]
        for violation in self.violations:
            lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
        return lines


def _driver(width: int = 1280):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},1000", "--allow-file-access-from-files"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(str(DRIVER)), options=options)


def check_pages(pages: list[Path], width: int = 1280) -> list[PageResult]:
    """Run axe-core's WCAG 2.1 A and AA rules on each page (opened from disk, as a reader opens the report).

    Raises
    ------
    FileNotFoundError
        When axe-core is not installed (``npm ci --prefix tools/axe``) or Chromium and its driver are missing.
    """
    for needed, how in ((AXE, "npm ci --prefix tools/axe"), (CHROMIUM, "apt-get install chromium"),
                        (DRIVER, "apt-get install chromium-driver")):
        if not needed.is_file():
            raise FileNotFoundError(f"{needed}: not found; install it with `{how}`")
    script = AXE.read_text("utf-8")
    driver = _driver(width)
    results = []
    try:
        driver.set_script_timeout(120)
        for page in pages:
            driver.get(page.resolve().as_uri())
            driver.execute_script(script)
            outcome = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
                ".then(r => done(JSON.stringify({violations: r.violations, incomplete: r.incomplete.map(i => i.id),"
                " passes: r.passes.length}))).catch(e => done(JSON.stringify({error: String(e)})));", WCAG_AA)
            found = json.loads(outcome)
            if "error" in found:
                raise RuntimeError(f"{page}: axe failed: {found['error']}")
            results.append(PageResult(page.name, found["violations"], found["incomplete"], found["passes"]))
    finally:
        driver.quit()
    return results


def default_pages(run_dir: Path) -> list[Path]:
    """The index, every profile and every evaluation page of a report run."""
    return [run_dir / "index.html", *sorted(run_dir.glob("area_profile_*.html")),
            *sorted(run_dir.glob("evaluation_*.html"))]


def main(arguments: list[str]) -> int:
    pages = [Path(a) for a in arguments] or default_pages(ROOT / "reports" / "latest")
    results = check_pages(pages)
    for result in results:
        print("\n".join(result.lines()))
    return 1 if any(r.violations for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
