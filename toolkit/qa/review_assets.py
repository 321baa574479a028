"""The review page's stylesheet and script, inlined into every page by `toolkit.qa.review_page`.

Kept apart so the page module is logic only; the page's Content-Security-Policy allows exactly
these two strings, by SHA-256 hash.
"""

# Inline assets. The CSP hashes these exact strings: never add style="" attributes or inline
# event handlers (onclick=...), which the policy blocks.

CSS = """
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--head:#f6f8fa;--term:#fff3b0;
--found:#d3f4dc;--found-line:#1a7f37;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;
--info-bg:#ddf4ff;--info:#0969da}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:var(--bg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
.page-head{padding:16px 20px 4px}
h1{font-size:20px;margin:0}
h2{font-size:14px;margin:12px 0 4px}
.sub,.muted{color:var(--muted)}
.sub{margin:2px 0 0}
.summary{padding:8px 20px 12px}
table.sum{border-collapse:collapse;min-width:640px}
table.sum th,table.sum td{border-bottom:1px solid var(--line);padding:4px 12px;text-align:left}
table.sum thead th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.03em}
table.sum td.num{text-align:right;font-variant-numeric:tabular-nums}
td.has-error{color:var(--bad);font-weight:600}
td.has-warning{color:var(--warn);font-weight:600}
progress{width:120px;vertical-align:middle}
.code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--head);
border:1px solid var(--line);border-radius:4px;padding:0 4px}
.toolbar{position:sticky;top:0;z-index:3;display:flex;flex-wrap:nowrap;gap:8px;align-items:center;
height:44px;padding:0 20px;overflow-x:auto;background:var(--head);border-top:1px solid var(--line);
border-bottom:1px solid var(--line);white-space:nowrap}
.tb-label{font-weight:600;color:var(--muted)}
.tb-group{display:inline-flex;gap:4px;align-items:center}
.toolbar button{font:inherit;font-size:13px;padding:2px 10px;border:1px solid var(--line);
border-radius:14px;background:#fff;color:var(--muted);cursor:pointer}
.toolbar button[aria-pressed=true]{background:#0969da;border-color:#0969da;color:#fff}
.toolbar label{display:inline-flex;gap:4px;align-items:center;margin-left:12px;cursor:pointer}
.legend{margin-left:auto;color:var(--muted);font-size:12px}
main{padding:0 20px 40px}
table.review{width:100%;border-collapse:separate;border-spacing:0;table-layout:fixed}
table.review thead th{position:sticky;top:44px;z-index:2;background:var(--bg);text-align:left;
padding:8px 10px;border-bottom:2px solid var(--line);font-weight:600}
table.review td{vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line);
overflow-wrap:anywhere}
table.review td+td,table.review th+th{border-left:1px solid var(--line)}
td.col-src{background:#fbfcfd}
tr:target td{background:#fffbe6}
tr[id]{scroll-margin-top:100px}
.text{white-space:pre-wrap}
.text.empty{color:var(--muted);font-style:italic}
.meta{font-size:12px;color:var(--muted);margin-bottom:4px;display:flex;gap:6px;flex-wrap:wrap;
align-items:center}
.meta .ref,.meta .ctx{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a.anchor{color:var(--muted);text-decoration:none;font-weight:600}
a.anchor:hover{text-decoration:underline}
.badge{display:inline-block;font-size:11px;font-weight:600;line-height:18px;padding:0 7px;
border-radius:9px;border:1px solid transparent;text-transform:uppercase;letter-spacing:.03em}
.badge.st-reviewed{background:#dafbe1;color:#116329;border-color:#aceebb}
.badge.st-fuzzy{background:var(--warn-bg);color:var(--warn);border-color:#eed888}
.badge.st-untranslated{background:var(--bad-bg);color:var(--bad);border-color:#ffcecb}
.badge.st-missing{background:var(--head);color:var(--muted);border-color:var(--line)}
.badge.st-mt{background:var(--info-bg);color:var(--info);border-color:#b6e3ff;text-transform:none}
mark.term{background:var(--term);color:inherit;border-radius:3px;padding:0 1px;cursor:help;
border-bottom:2px solid #d4a72c}
mark.term.found{background:var(--found);border-bottom-color:var(--found-line)}
mark.term.forbidden{background:var(--bad-bg);border-bottom-color:var(--bad)}
.term-missing{margin-top:4px;font-size:12px;color:var(--warn)}
.term-missing .expected{border-bottom:1px dashed var(--warn);cursor:help}
ul.findings{list-style:none;margin:6px 0 0;padding:0}
ul.findings li{font-size:12px;margin-top:3px;padding:2px 6px;border-left:3px solid;border-radius:2px}
li.sev-error{color:var(--bad);background:var(--bad-bg);border-color:var(--bad)}
li.sev-warning{color:var(--warn);background:var(--warn-bg);border-color:#d4a72c}
li.sev-info{color:var(--info);background:var(--info-bg);border-color:var(--info)}
.check{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
.where{color:var(--fg)}
.orphans{max-width:900px}
.attention-only tr.ok{display:none}
.notes{margin-top:6px;display:flex;flex-direction:column;gap:4px}
.note{font-size:12px;padding:3px 6px;border-left:3px solid var(--line);background:var(--head);
border-radius:2px}
.note .label{font-size:11px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.note-diff{border-left-color:#d4a72c}
.note-suggestion{border-left-color:var(--info)}
.note-replaced{border-left-color:var(--found-line)}
.diff{display:grid;grid-template-columns:auto 1fr;gap:2px 6px}
.diff .tag{color:var(--muted);font-size:11px}
del{background:#ffcecb;color:var(--bad);text-decoration:line-through;border-radius:2px}
ins{background:#aceebb;color:#116329;text-decoration:none;font-weight:600;border-radius:2px}
.obsolete{padding:0 20px 40px;max-width:1200px}
.obsolete h2{font-size:16px;margin:16px 0 2px}
.obsolete h3{font-size:14px;margin:12px 0 4px}
table.obs{width:100%;border-collapse:collapse;table-layout:fixed}
table.obs th,table.obs td{vertical-align:top;text-align:left;padding:4px 10px;
border-bottom:1px solid var(--line);overflow-wrap:anywhere}
table.obs thead th{font-weight:600;color:var(--muted);font-size:12px}
table.obs th:last-child{width:150px}
"""

JS = """
(function () {
  "use strict";
  var root = document.documentElement, errors = [];
  // Problems are recorded in the data-page-errors attribute of the root element, for headless checks.
  function record(what) {
    errors.push(what);
    root.setAttribute("data-page-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (e) { record("error: " + e.message); });
  document.addEventListener("securitypolicyviolation", function (e) {
    record("csp: " + e.violatedDirective + " " + (e.blockedURI || ""));
  });

  function init() {
    var heads = document.querySelectorAll("table.review thead th[data-col]");
    var bar = document.getElementById("lang-filter");
    var wanted = null, m = /(?:^#|&)langs=([^&]*)/.exec(location.hash);
    if (m) { wanted = decodeURIComponent(m[1]).split(","); }
    var buttons = [];

    function remember() {
      var shown = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
        .map(function (b) { return b.getAttribute("data-lang"); });
      try { history.replaceState(null, "", "#langs=" + shown.join(",")); } catch (err) { /* file: */ }
    }
    function show(button, on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      root.classList.toggle("hide-col-" + button.getAttribute("data-col"), !on);
    }
    Array.prototype.forEach.call(heads, function (th) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "lang-toggle";
      b.setAttribute("data-col", th.getAttribute("data-col"));
      b.setAttribute("data-lang", th.getAttribute("data-lang"));
      b.title = th.textContent;
      b.textContent = th.getAttribute("data-lang");
      b.addEventListener("click", function () {
        show(b, b.getAttribute("aria-pressed") !== "true");
        remember();
      });
      bar.appendChild(b);
      buttons.push(b);
      show(b, !wanted || wanted.indexOf(th.getAttribute("data-lang")) >= 0);
    });

    var label = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox";
    box.id = "attention-only";
    box.addEventListener("change", function () { root.classList.toggle("attention-only", box.checked); });
    label.appendChild(box);
    label.appendChild(document.createTextNode("Only blocks needing attention"));
    document.getElementById("attention-filter").appendChild(label);
    root.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
"""
