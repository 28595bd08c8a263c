"""Sphinx configuration of the course website (`make site`; tools/site.py stages the sources).

The notebooks are rendered from their stored outputs (myst-nb, execution off), with
sphinx-book-theme. Everything the pages need is in the built site: math is rendered to MathML at
build time (latex2mathml; browsers show MathML natively), so no page loads a script from a CDN.
"""
import json
import posixpath
import sys
from html import escape
from pathlib import Path

from docutils import nodes
from latex2mathml.converter import convert as latex_to_mathml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import website as course_site  # noqa: E402  tools/website.py: pages, REPO_URL (from utils/setup.py)

project = "Clinical NLP: from raw text to biomedical LLMs"
author = "the course authors"
copyright = "the course authors"
extensions = ["myst_nb", "sphinx.ext.githubpages"]   # githubpages: writes .nojekyll
nb_execution_mode = "off"            # pages show the committed outputs; nothing is re-executed
nb_merge_streams = True
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
exclude_patterns = ["_originals", "_pages.json"]
html_extra_path = [str(course_site.STAGE / "_originals")]   # the untouched files, for download links
html_theme = "sphinx_book_theme"
html_title = "Clinical NLP"
html_math_renderer = "mathml"
html_copy_source = False
html_show_sourcelink = False
html_use_index = False
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_favicon = "_static/favicon.svg"   # without one, browsers ask the server root for favicon.ico (a 404)
html_theme_options = {
    "repository_url": course_site.REPO_URL,
    "repository_branch": course_site.BRANCH,
    "use_repository_button": True,
    "use_download_button": False,     # each page has its own download link (the original file)
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "navbar_persistent": [],          # pydata-sphinx-theme 0.20 would add a second search bar on top
}
html_context = {"default_mode": "light"}   # unset, the theme logs a console error on a first visit


def _math(self, node, display: bool):
    mathml = latex_to_mathml(node.astext(), display="block" if display else "inline")
    self.body.append(f'<div class="math">{mathml}</div>' if display else mathml)
    raise nodes.SkipNode


def _page_links(app, pagename, templatename, context, doctree):
    """Every page starts with an "Open in Colab" link and a link to download its source file."""
    if doctree is None:                           # search page: no source of its own
        return
    docs = {doc: path for path, doc in json.loads(Path(app.srcdir, "_pages.json").read_text()).items()}
    path = docs[pagename]
    here = posixpath.dirname(pagename)
    download = posixpath.relpath(path, here or ".")
    if path.endswith(".ipynb"):
        colab, colab_text = course_site.colab_url(path), "Open in Colab"
        download_text = "Download this notebook (.ipynb)"
    else:
        first = course_site.lecture_notebooks()[0]
        colab, colab_text = course_site.colab_url(first), "Start the course in Colab"
        download_text = f"Download this page ({posixpath.basename(path)})"
    bar = (f'<p class="course-links"><a class="course-colab" href="{escape(colab)}">{colab_text}</a>'
           f'<a class="course-download" href="{escape(download)}" download>{download_text}</a></p>\n')
    context["body"] = bar + context.get("body", "")


def setup(app):
    app.add_html_math_renderer("mathml", (lambda s, n: _math(s, n, False), None),
                               (lambda s, n: _math(s, n, True), None))
    app.connect("html-page-context", _page_links)
