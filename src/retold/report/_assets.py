"""The inline stylesheet and script of the HTML report.

Both are constants so their SHA-256 hashes, which the Content-Security-Policy
allows, are stable; neither may load anything from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib

from retold.types import ChangeType

# Highlight colours (light, dark) per change type.
TYPE_COLOURS: dict[ChangeType, tuple[str, str]] = {
    ChangeType.NUMBER: ("#ffd966", "#8a6d00"),
    ChangeType.QUOTE: ("#dcc6ff", "#5b3c91"),
    ChangeType.OMISSION: ("#ffb3b3", "#8c2f2f"),
    ChangeType.ADDITION: ("#b8f0c8", "#23693a"),
    ChangeType.ENTITY: ("#aacbff", "#2a4f8a"),
    ChangeType.ATTRIBUTION: ("#ffcc99", "#8a4b12"),
    ChangeType.TONE: ("#ffc4e1", "#8a2f5d"),
    ChangeType.BOILERPLATE: ("#dddddd", "#555555"),
}


def _type_rules() -> str:
    light = "\n".join(f"  --t-{t.value}: {c[0]};" for t, c in TYPE_COLOURS.items())
    dark = "\n".join(f"    --t-{t.value}: {c[1]};" for t, c in TYPE_COLOURS.items())
    uses = "\n".join(f".t-{t.value} {{ background: var(--t-{t.value}); }}" for t in TYPE_COLOURS)
    return (
        f":root {{\n{light}\n}}\n"
        f"@media (prefers-color-scheme: dark) {{\n  :root {{\n{dark}\n  }}\n}}\n{uses}\n"
    )


CSS = (
    """
:root {
  color-scheme: light dark;
  --bg: #fbfbfa; --fg: #1d1f21; --muted: #6b6f76; --line: #e3e4e6; --card: #ffffff;
  --omit: #fff1f1; --omit-edge: #e05d5d; --add: #effbf2; --add-edge: #3aa45b;
  --boiler: #f3f3f3; --accent: #3b6fd8;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #17181a; --fg: #e6e6e6; --muted: #9a9ea6; --line: #2e3034; --card: #1f2023;
    --omit: #2e1d1d; --omit-edge: #d46a6a; --add: #1b2b20; --add-edge: #4fbf72;
    --boiler: #232427; --accent: #7aa2f7;
  }
}
* { box-sizing: border-box; }
html { scroll-padding-top: 4rem; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.wrap { max-width: 1280px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2.5rem 0 .75rem; }
.names { color: var(--muted); margin: 0 0 1rem; overflow-wrap: anywhere; }
.verdict {
  background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  padding: 1rem 1.25rem; display: grid; gap: .75rem 2rem;
  grid-template-columns: minmax(12rem, auto) 1fr;
}
.relation { font-size: 1.35rem; font-weight: 650; text-transform: capitalize; }
.label {
  display: block; font-size: .75rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
}
.scores { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; margin: 0; }
.scores div { min-width: 7rem; }
.scores dt { font-size: .8rem; color: var(--muted); }
.scores dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.scores meter { width: 6rem; height: .5rem; display: block; }
.direction p { margin: 0; }
.direction ul, .counts { margin: .25rem 0 0; padding-left: 1.2rem; color: var(--muted); font-size: .92rem; }
.legend {
  display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center;
  margin: 1.25rem 0 .5rem; font-size: .9rem;
}
.chip {
  display: inline-block; width: .9rem; height: .9rem; border-radius: 3px;
  vertical-align: -2px; margin-right: .3rem;
}
.legend .zero { color: var(--muted); }
.controls { font-size: .9rem; color: var(--muted); margin-left: auto; }
.compare { border: 1px solid var(--line); border-radius: 10px; overflow: clip; background: var(--card); }
.row { display: grid; grid-template-columns: 1fr 6.5rem 1fr; border-top: 1px solid var(--line); }
.row:first-child { border-top: 0; }
.row.head { font-weight: 600; background: var(--boiler); position: sticky; top: 0; z-index: 1; }
.row.head .side { overflow-wrap: anywhere; }
.side { padding: .6rem .9rem; min-width: 0; overflow-wrap: anywhere; }
.sent, .boiler .text { white-space: pre-wrap; }
.side:empty::after { content: "\\2014"; color: var(--muted); }
.gutter {
  padding: .6rem .25rem; text-align: center; font-size: .75rem; color: var(--muted);
  border-left: 1px solid var(--line); border-right: 1px solid var(--line); white-space: normal;
}
.gutter .score { display: block; font-variant-numeric: tabular-nums; }
.k-verbatim .gutter { opacity: .7; }
.r-omitted .src { background: var(--omit); box-shadow: inset 3px 0 0 var(--omit-edge); }
.r-added .cpy { background: var(--add); box-shadow: inset -3px 0 0 var(--add-edge); }
.r-omitted .gutter { color: var(--omit-edge); font-weight: 600; }
.r-added .gutter { color: var(--add-edge); font-weight: 600; }
.r-restated .side:not(:empty) { color: var(--muted); }
.r-boilerplate .side:not(:empty) { background: var(--boiler); }
.boiler { color: var(--muted); }
.boiler .text { text-decoration: line-through; }
.tag {
  display: inline-block; font-size: .7rem; text-transform: uppercase; letter-spacing: .04em;
  border: 1px solid var(--line); border-radius: 4px; padding: 0 .35rem; margin-right: .4rem;
  white-space: nowrap; text-decoration: none;
}
mark { color: inherit; border-radius: 3px; padding: 0 1px; cursor: pointer; }
mark.overlap { box-shadow: inset 0 -2px 0 var(--fg); }
mark.point { font-weight: 700; padding: 0 2px; }
.flash { animation: flash 1.6s ease-out; }
@keyframes flash {
  0%, 40% { outline: 3px solid var(--accent); outline-offset: 2px; }
  100% { outline: 3px solid transparent; outline-offset: 2px; }
}
body.hide-same .row.same { display: none; }
table { border-collapse: collapse; width: 100%; background: var(--card); font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid var(--line); }
th { font-size: .78rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
tbody tr { cursor: pointer; }
tbody tr:hover, tbody tr:focus { background: var(--boiler); outline: none; }
td.num { color: var(--muted); font-variant-numeric: tabular-nums; }
td.txt { overflow-wrap: anywhere; white-space: pre-wrap; max-width: 28rem; }
td .none { color: var(--muted); }
td .jump { font-size: .8rem; margin-left: .3rem; color: var(--accent); text-decoration: none; }
.type { border-radius: 4px; padding: 0 .4rem; white-space: nowrap; }
footer { margin-top: 2rem; color: var(--muted); font-size: .8rem; }
.empty { color: var(--muted); }
@media (max-width: 760px) {
  .verdict { grid-template-columns: 1fr; }
  .row { grid-template-columns: 1fr; }
  .row.head { display: none; }
  .gutter { border: 0; text-align: left; padding: .4rem .9rem 0; }
  .side:not(:empty)::before {
    content: attr(data-label); display: block; font-size: .7rem; color: var(--muted);
    text-transform: uppercase; letter-spacing: .05em;
  }
  .side:empty { display: none; }
  table, thead, tbody, tr, td, th { display: block; }
  thead { display: none; }
  td { border: 0; padding: .2rem .6rem; }
  tbody tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
}
"""
    + _type_rules()
)

JS = """
(function () {
  "use strict";
  function again(el) { el.classList.remove("flash"); void el.offsetWidth; el.classList.add("flash"); }
  function flash(id, side) {
    var sel = 'mark[data-changes~="' + id + '"]';
    var marks = document.querySelectorAll(sel);
    if (!marks.length) { return; }
    var first = (side && document.querySelector(sel + '[data-side="' + side + '"]')) || marks[0];
    first.scrollIntoView({ behavior: "smooth", block: "center" });
    marks.forEach(again);
  }
  document.querySelectorAll("tr[data-change]").forEach(function (tr) {
    tr.addEventListener("click", function (ev) {
      var a = ev.target.closest("a.jump");
      if (a) { ev.preventDefault(); }
      flash(tr.getAttribute("data-change"), a ? a.getAttribute("data-side") : null);
    });
    tr.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        flash(tr.getAttribute("data-change"), null);
      }
    });
  });
  document.querySelectorAll("mark[data-changes]").forEach(function (m) {
    m.addEventListener("click", function () {
      var id = m.getAttribute("data-changes").split(" ")[0];
      var tr = document.getElementById("change-" + id);
      if (tr) { tr.scrollIntoView({ behavior: "smooth", block: "center" }); again(tr); }
    });
  });
  var box = document.getElementById("hide-same");
  if (box) {
    box.addEventListener("change", function () { document.body.classList.toggle("hide-same", box.checked); });
  }
})();
"""


def csp_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# Only single-quoted keywords and base64: safe to place in a double-quoted attribute as is.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"style-src {csp_hash(CSS)}",
        f"script-src {csp_hash(JS)}",
        "img-src 'none'",
        "font-src 'none'",
        "connect-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)
assert '"' not in CONTENT_SECURITY_POLICY and "<" not in CONTENT_SECURITY_POLICY
