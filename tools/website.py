"""The course website: built from the committed, executed notebooks, never re-executing them.

    python tools/website.py build   # stage the pages, run Sphinx (myst-nb, sphinx-book-theme) -> build/site
    python tools/website.py check   # serve build/ on 127.0.0.1 and open the pages in headless Chromium

`build` copies what the site shows into build/site-src/ (the page sources) and the untouched
originals into build/site-src/_originals/ (served beside the pages, for the download links):
  - README.md as the home page (it holds the syllabus), INSTRUCTORS.md, the datasheet data/README.md;
  - the lecture notebooks notebooks/NN_*.ipynb, found by glob, with their stored outputs;
  - the labs' student versions notebooks/labs/*/*.ipynb. Nothing under labs/masters/ is ever read.
The staged copies keep the repository's layout, so links between pages work unchanged. Three edits
make them a self-contained site: the remote Colab badge image becomes a text link (every page gets its
own Colab and download links from docs/conf.py), links to repository files that are not pages point
at the repository on GitHub, and tqdm's progress-bar widgets are dropped (their JavaScript would come
from a CDN, and their stored text is a bar stuck at 0%).

Sphinx runs with -W --keep-going: any warning (a broken link, a missing image) fails the build and
is listed in build/site-warnings.txt. The repository URL comes from utils/setup.py (REPO_URL).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from utils.setup import BRANCH, REPO_URL, colab_badge  # noqa: E402  (the one place the URL is set)

BUILD = ROOT / "build"
STAGE = BUILD / "site-src"
OUT = BUILD / "site"
WARNINGS = BUILD / "site-warnings.txt"
STATS = BUILD / "site-build.json"   # seconds (wall and CPU), pages, bytes of the last build
CONF_DIR = ROOT / "docs"
MARKDOWN_PAGES = {"README.md": "index", "INSTRUCTORS.md": "INSTRUCTORS", "data/README.md": "data/README"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
BADGE = re.compile(r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
                   r"\((https://colab\.research\.google\.com/[^)\s]+)\)")
LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def lecture_notebooks() -> list[str]:
    """notebooks/NN_*.ipynb, in course order (any new NN_ notebook joins the site by itself)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def lab_notebooks() -> list[str]:
    """The labs' student versions, notebooks/labs/<lab>/<lab>.ipynb (never labs/masters/)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks" / "labs").glob("*/*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def pages() -> dict[str, str]:
    """Repository path -> Sphinx docname of every page the site has."""
    found = {path: path.removesuffix(".ipynb") for path in lecture_notebooks() + lab_notebooks()}
    return {**MARKDOWN_PAGES, **found}


def colab_url(path: str) -> str:
    """The Colab URL of a repository notebook, taken from utils.setup.colab_badge."""
    return BADGE.fullmatch(colab_badge(path)).group(1)


def _fix_links(text: str, path: str, site_paths: set[str]) -> str:
    """A markdown text from repository file `path` as a page: Colab badge images become text links;
    relative links to repository files that are not pages go to the repository on GitHub."""
    text = BADGE.sub(r"[Open in Colab](\1)", text)

    def fix(m: re.Match) -> str:
        target, anchor = m.group(2).partition("#")[::2]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            return m.group(0)
        resolved = (ROOT / path).parent.joinpath(target).resolve()
        try:
            rel = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            return m.group(0)
        if rel in site_paths or not resolved.exists():
            return m.group(0)   # a page (kept relative); a missing file fails the build (-W)
        kind = "tree" if resolved.is_dir() else "blob"
        return f"{m.group(1)}{REPO_URL}/{kind}/{BRANCH}/{rel}{'#' + anchor if anchor else ''}{m.group(3)}"

    return LINK.sub(fix, text)


def _stage_notebook(path: str, site_paths: set[str]) -> nbformat.NotebookNode:
    nb = nbformat.read(ROOT / path, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = cell.source.splitlines()
            if lines and BADGE.fullmatch(lines[0].strip()):
                cell.source = "\n".join(lines[1:]).lstrip("\n")   # the page header has the Colab link
            cell.source = _fix_links(cell.source, path, site_paths)
        elif cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
    return nb


def _toctree(caption: str, docnames: list[str]) -> str:
    return "\n".join(["", f"```{{toctree}}", ":hidden:", f":caption: {caption}", "", *docnames, "```", ""])


def stage() -> dict[str, str]:
    """Write build/site-src/ (page sources) and its _originals/ (download copies); return pages()."""
    shutil.rmtree(STAGE, ignore_errors=True)
    site = pages()
    for path, docname in site.items():
        src, original = ROOT / path, STAGE / "_originals" / path   # served at its repository path
        original.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, original)
        dest = STAGE / (docname + src.suffix)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == ".ipynb":
            nbformat.write(_stage_notebook(path, set(site)), dest)
        else:
            dest.write_text(_fix_links(src.read_text(encoding="utf-8"), path, set(site)), encoding="utf-8")
    home = STAGE / "index.md"
    home.write_text(home.read_text(encoding="utf-8")
                    + _toctree("Lecture notebooks", [site[p] for p in lecture_notebooks()])
                    + _toctree("Graded labs", [site[p] for p in lab_notebooks()])
                    + _toctree("Instructors and data", ["INSTRUCTORS", "data/README"]), encoding="utf-8")
    (STAGE / "_pages.json").write_text(json.dumps(site, indent=1), encoding="utf-8")
    return site


def build(out: Path = OUT) -> int:
    """Stage and build the site into `out` (a fresh build). Returns Sphinx's exit code; the build's
    wall and CPU seconds, page count and size go to build/site-build.json. CPU seconds are what a
    quiet machine's wall time would be (the build is sequential), however busy this one is."""
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    stage()
    shutil.rmtree(out, ignore_errors=True)
    WARNINGS.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(CONF_DIR),
           "-d", str(BUILD / "site-doctrees"), "-w", str(WARNINGS), str(STAGE), str(out)]
    code = subprocess.run(cmd, cwd=ROOT).returncode
    stats = {"seconds": round(time.perf_counter() - start, 1), "cpu_seconds": round(_cpu_seconds() - cpu_start, 1),
             "pages": len(site_html(out)), "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
             "exit": code}
    STATS.write_text(json.dumps(stats, indent=1), encoding="utf-8")
    print(f"site: {out.relative_to(ROOT)}: {stats['pages']} HTML pages, {stats['bytes'] / 1e6:.1f} MB, built in "
          f"{stats['seconds']:.1f} s ({stats['cpu_seconds']:.1f} CPU s); exit {code}")
    if WARNINGS.read_text(encoding="utf-8").strip():
        print(f"warnings (see {WARNINGS.relative_to(ROOT)}):\n{WARNINGS.read_text(encoding='utf-8')}")
    return code


def _cpu_seconds() -> float:
    """CPU seconds (user + system) used so far by this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def site_html(site: Path = OUT) -> list[str]:
    """The built pages (site-relative paths), without the theme's template fragments in _static/."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts)


# ---------------------------------------------------------------- browser check (make site-check)

@contextlib.contextmanager
def serve(directory: Path):
    """Serve `directory` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):   # keep the check's output to its findings
        pass


def chromium() -> str:
    """The system Chromium (Debian package `chromium`); Playwright's own browser download needs network."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    raise SystemExit("no Chromium found: install the Debian package (apt-get install chromium)")


def check(site: Path = OUT, shots: Path = BUILD) -> int:
    """Open every page from a sub-path (/site/) in headless Chromium: no console error, no failed
    request, every image loaded; search for "attention" finds notebook 05. Screenshots -> build/."""
    from playwright.sync_api import sync_playwright

    site_pages = site_html(site)
    if not site_pages:
        raise SystemExit(f"no pages in {site}: run `make site` first")
    lecture = next(p for p in site_pages if p.startswith("notebooks/05_"))
    failures: list[str] = []
    with serve(site.parent) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium())
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
        for rel in site_pages:
            problems.clear()
            page.goto(f"{base}/{site.name}/{rel}", wait_until="load")
            broken = page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
            problems += [f"image not loaded: {src}" for src in broken]
            images = page.eval_on_selector_all("img", "imgs => imgs.length")
            print(f"{'ok  ' if not problems else 'FAIL'} {rel} ({images} images)")
            failures += [f"{rel}: {p}" for p in problems]
        page.goto(f"{base}/{site.name}/search.html?q=attention", wait_until="load")
        page.wait_for_selector("#search-results ul.search li", timeout=30_000)
        hits = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
        found = any("/notebooks/05_" in h for h in hits)
        print(f"{'ok  ' if found else 'FAIL'} search 'attention': {len(hits)} results, notebook 05 "
              f"{'among them' if found else 'missing'}")
        if not found:
            failures.append(f"search for 'attention' does not find {lecture}: {hits}")
        shots.mkdir(parents=True, exist_ok=True)
        fresh = browser.new_page(viewport={"width": 1280, "height": 900})   # no remembered sidebar scroll
        taken = []
        for rel, name, selector in [("index.html", "site-home.png", None),
                                    (lecture, "site-notebook.png", None),
                                    (lecture, "site-notebook-figure.png", "div.cell_output img"),
                                    ("search.html?q=attention", "site-search.png", "ul.search li")]:
            fresh.goto(f"{base}/{site.name}/{rel}", wait_until="load")
            if selector:
                fresh.wait_for_selector(selector)
                fresh.locator(selector).first.scroll_into_view_if_needed()
            fresh.screenshot(path=str(shots / name))
            taken.append(os.path.relpath(shots / name, ROOT))
        browser.close()
    print(f"{len(site_pages)} pages checked; screenshots: {', '.join(taken)}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check"])
    args = parser.parse_args()
    os.chdir(ROOT)
    return build() if args.command == "build" else check()


if __name__ == "__main__":
    sys.exit(main())
