"""Griffe extension: render the reStructuredText markup of restrat's docstrings.

The docstrings are numpydoc with a few Sphinx constructs (``:math:`...```,
``.. math::`` blocks, ``:func:`~pkg.name``` roles).  mkdocstrings renders
docstrings as Markdown, so before they are parsed this extension rewrites

* ``.. math::`` blocks to ``$$ ... $$`` display math and ``:math:`x``` to ``$x$``
  (typeset by the ``pymdownx.arithmatex`` extension);
* cross-reference roles (``:func:``, ``:class:``, ``:mod:``, ``:meth:``,
  ``:attr:``, ``:data:``, ``:exc:``, ``:obj:``) to *optional* autorefs links,
  which point at the rendered API page when the target is documented and
  fall back to plain code otherwise, so an unresolvable target never breaks
  ``mkdocs build --strict``.

The docstrings themselves are left unchanged in the source code.
"""

from __future__ import annotations

import html
import re
from typing import Any

from griffe import Extension, Object

_ROLE = re.compile(
    r":(?:py:)?(func|class|mod|meth|attr|data|exc|obj|const):`(?P<body>[^`]+)`"
)
_MATH_ROLE = re.compile(r":math:`(?P<body>[^`]*)`")
_DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")


def _module_path(obj: Object) -> str:
    mod = obj if obj.is_module else obj.module
    return mod.path


def _qualify(target: str, obj: Object) -> str:
    target = target.strip()
    if target.startswith(("gametheory.", "estimation.", "restrat.")) or target in (
        "gametheory", "estimation", "restrat"
    ):
        return target
    mod = _module_path(obj)
    if target.startswith("."):
        # relative to the current package (one dot) or its parents
        dots = len(target) - len(target.lstrip("."))
        parts = mod.split(".")
        if not (obj.is_module and obj.is_package):
            parts = parts[:-1] if obj.is_module else parts
        base = parts[: len(parts) - (dots - 1)] if dots > 1 else parts
        return ".".join([*base, target.lstrip(".")])
    return f"{mod}.{target}"


def _role(match: re.Match[str], obj: Object) -> str:
    body = match["body"].strip()
    title_override = None
    m = re.match(r"^(?P<title>.+?)\s*<(?P<target>[^>]+)>$", body)
    if m:
        title_override, body = m["title"], m["target"]
    short = body.startswith("~")
    target = body.lstrip("~")
    shown = title_override or (target.rsplit(".", 1)[-1] if short else target.lstrip("."))
    if match.group(1) in ("func", "meth") and not title_override:
        shown += "()"
    ident = _qualify(target, obj)
    return (f'<autoref identifier="{html.escape(ident, quote=True)}" optional>'
            f"<code>{html.escape(shown)}</code></autoref>")


def _math_inline(match: re.Match[str]) -> str:
    body = match["body"].strip()
    return f"${body}$" if body else ""


def _convert_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = m["indent"]
        body: list[str] = []
        if m["rest"].strip():
            body.append(m["rest"].strip())
        i += 1
        # the indented block that follows (blank lines allowed inside)
        block: list[str] = []
        while i < len(lines):
            line = lines[i]
            if line.strip() == "":
                block.append("")
                i += 1
                continue
            if len(line) - len(line.lstrip()) > len(indent):
                block.append(line)
                i += 1
                continue
            break
        while block and block[-1] == "":
            block.pop()
            i -= 1
        nonblank = [ln for ln in block if ln.strip()]
        if nonblank:
            cut = min(len(ln) - len(ln.lstrip()) for ln in nonblank)
            body.extend(ln[cut:] if ln.strip() else "" for ln in block)
        # several equations separated by blank lines become one aligned display
        eqs = [ln for ln in body if ln.strip()]
        out.append("")
        out.append(f"{indent}$$")
        out.extend(f"{indent}{ln}" for ln in eqs)
        out.append(f"{indent}$$")
        out.append("")
    return "\n".join(out)


_PARSED_SECTIONS = {
    "parameters", "other parameters", "type parameters", "returns", "yields", "receives",
    "raises", "warns", "attributes", "examples", "deprecated", "functions", "classes",
    "modules", "type aliases",
}


def _free_sections(text: str) -> str:
    """Module docstrings: sections griffe does not parse become bold titles.

    A numpydoc definition list under such a title (``term`` then a
    description indented by four spaces) becomes a Markdown bullet list.
    "Methods", "Classes" and "Subpackages" lists in module docstrings are
    read the same way, since they describe options or files, not members.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    free = False
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        title = line.strip()
        if (title and nxt.strip() and set(nxt.strip()) == {"-"}
                and len(nxt.strip()) >= len(title) and not line.startswith(" ")):
            parsed = title.lower() in _PARSED_SECTIONS - {"functions", "classes", "modules"}
            free = not parsed
            if free:
                out.extend([f"**{title}**", ""])
                i += 2
                continue
            out.append(line)
            i += 1
            continue
        if free and line.strip() and not line.startswith(" ") \
                and nxt.startswith("    ") and not line.lstrip().startswith(("*", "-", "$$", "..")):
            desc: list[str] = []
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                desc.append(lines[i].strip())
                i += 1
            out.append(f"- **{line.strip()}**: " + " ".join(desc))
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def convert(text: str, obj: Object) -> str:
    """The docstring *text* of *obj* with its reStructuredText markup rewritten."""
    if obj.is_module:
        text = _free_sections(text)
    text = _convert_blocks(text)
    text = _MATH_ROLE.sub(_math_inline, text)
    text = _ROLE.sub(lambda m: _role(m, obj), text)
    return text


class RstMarkup(Extension):
    """Rewrite Sphinx math and cross-reference roles in every docstring."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        doc = obj.docstring
        if doc is not None and doc.value:
            doc.value = convert(doc.value, obj)
