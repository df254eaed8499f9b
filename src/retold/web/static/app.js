// retold web page. Article text and everything the server returns is untrusted:
// it only ever reaches the page through textContent and form values, never as HTML.
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  function setStatus(el, text, kind) {
    el.textContent = text || "";
    el.classList.toggle("error", kind === "error");
    el.classList.toggle("busy", kind === "busy");
  }

  // -- tabs --------------------------------------------------------------------------------
  var tabs = [$("tab-compare"), $("tab-search")];
  function select(tab) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    });
  }
  tabs.forEach(function (t, i) {
    t.addEventListener("click", function () { select(t); });
    t.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        var next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        select(next);
        next.focus();
      }
    });
  });
  select(tabs[0]);

  // -- text areas: character counts and file uploads -----------------------------------------
  function updateCount(area) {
    var out = document.querySelector('.chars[data-for="' + area.id + '"]');
    if (out) {
      var n = area.value.length;
      out.textContent = n ? n.toLocaleString() + " characters" : "";
    }
  }
  function nameField(area) { return document.querySelector('input[data-name-for="' + area.id + '"]'); }

  document.querySelectorAll("textarea").forEach(function (area) {
    area.addEventListener("input", function () { updateCount(area); });
    updateCount(area);
  });

  document.querySelectorAll('input[type="file"][data-target]').forEach(function (input) {
    input.addEventListener("change", function () {
      var area = $(input.getAttribute("data-target"));
      var file = input.files && input.files[0];
      if (!file || !area) { return; }
      var reader = new FileReader();
      reader.addEventListener("load", function () {
        area.value = String(reader.result);
        var name = nameField(area);
        if (name) { name.value = file.name; }
        updateCount(area);
        input.value = "";
      });
      reader.addEventListener("error", function () {
        window.alert("Cannot read " + file.name + " as text.");
      });
      reader.readAsText(file);
    });
  });

  // -- the report frame ----------------------------------------------------------------------
  var report = $("report");
  var frame = $("report-frame");
  var reportStatus = $("report-status");
  var waiting = false;
  report.hidden = true;  // shown once there is something in it (visible without JavaScript)

  function expectReport(what) {
    waiting = true;
    report.hidden = false;
    setStatus(reportStatus, what + " — the first comparison also loads the language models, allow a few seconds", "busy");
    report.scrollIntoView({ behavior: "smooth", block: "start" });
  }
  frame.addEventListener("load", function () {
    if (!waiting) { return; }
    waiting = false;
    setStatus(reportStatus, "", null);
    setStatus($("compare-status"), "", null);
    report.setAttribute("data-loaded", String(Date.now()));
  });

  // -- compare -----------------------------------------------------------------------------
  var compareForm = $("compare-form");
  compareForm.addEventListener("submit", function (ev) {
    var target = (ev.submitter && ev.submitter.getAttribute("formtarget")) || compareForm.target;
    if (target === "_blank") { return; }
    expectReport("Comparing");
  });
  $("swap").addEventListener("click", function () {
    var s = $("source"), c = $("copy");
    var text = s.value; s.value = c.value; c.value = text;
    var sn = nameField(s), cn = nameField(c);
    var name = sn.value; sn.value = cn.value; cn.value = name;
    var sd = compareForm.elements.source_date, cd = compareForm.elements.copy_date;
    var d = sd.value; sd.value = cd.value; cd.value = d;
    updateCount(s); updateCount(c);
  });
  $("clear").addEventListener("click", function () {
    compareForm.reset();
    ["source", "copy"].forEach(function (id) { nameField($(id)).value = ""; updateCount($(id)); });
  });
  ["source", "copy"].forEach(function (id) {
    $(id).addEventListener("input", function () {
      // A pasted or edited text is no longer the uploaded file.
      var n = nameField($(id));
      if (n && n.value && $(id).value.length === 0) { n.value = ""; }
    });
  });

  // -- search ------------------------------------------------------------------------------
  var searchForm = $("search-form");
  var hitsList = $("hits");
  var searchStatus = $("search-status");
  var hitForm = $("hit-form");
  var lastQuery = "";
  var lastQueryName = "";

  var RELATION_WORDS = {
    identical: "identical", republish: "republished", near_duplicate: "near duplicate",
    light_edit: "light edit", paraphrase: "paraphrase", partial_reuse: "partial reuse", related: "related"
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function directionText(hit) {
    var src = hit.direction && hit.direction.source;
    var conf = hit.direction && typeof hit.direction.confidence === "number"
      ? " (" + Math.round(hit.direction.confidence * 100) + "%)" : "";
    if (src === "query") { return "your article looks like the original" + conf; }
    if (src === "hit") { return "this document looks like the original" + conf; }
    return "undecided which came first";
  }

  function openReport(hit, item) {
    var f = hitForm.elements;
    ["source", "source_id", "source_name", "copy", "copy_id", "copy_name"].forEach(function (k) { f[k].value = ""; });
    var queryName = lastQueryName || "your article";
    if (hit.direction && hit.direction.source === "hit") {
      f.source_id.value = hit.id;
      f.copy.value = lastQuery;
      f.copy_name.value = queryName;
    } else {
      f.source.value = lastQuery;
      f.source_name.value = queryName;
      f.copy_id.value = hit.id;
    }
    hitsList.querySelectorAll(".hit.current").forEach(function (n) { n.classList.remove("current"); });
    item.classList.add("current");
    expectReport("Comparing with " + hit.id);
    hitForm.submit();
  }

  function showHits(hits) {
    hitsList.replaceChildren();
    if (!hits.length) {
      hitsList.appendChild(el("li", "none-found", "No indexed document copies this article or is copied by it."));
      return;
    }
    hits.forEach(function (hit) {
      var item = el("li", "hit");
      item.setAttribute("data-id", hit.id);
      var head = el("div");
      head.appendChild(el("span", "relation", RELATION_WORDS[hit.relation] || hit.relation));
      head.appendChild(el("span", "id", hit.id));
      item.appendChild(head);
      var button = el("button", null, "Open report");
      button.type = "button";
      button.addEventListener("click", function () { openReport(hit, item); });
      item.appendChild(button);
      if (hit.title) { item.appendChild(el("div", "title", hit.title)); }
      var meta = ["score " + Number(hit.score).toFixed(2), directionText(hit)];
      if (hit.date) { meta.push(hit.date); }
      if (hit.site) { meta.push(hit.site); }
      item.appendChild(el("div", "meta", meta.join(" · ")));
      hitsList.appendChild(item);
    });
  }

  searchForm.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("query").value;
    if (!text.trim()) { setStatus(searchStatus, "Paste an article first.", "error"); return; }
    var button = $("search-button");
    button.disabled = true;
    setStatus(searchStatus, "Searching…", "busy");
    fetch("/api/search", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ text: text, top: Number($("top").value) || 10 })
    }).then(function (resp) {
      return resp.json().catch(function () { return { error: "the server answered " + resp.status }; })
        .then(function (data) { return { ok: resp.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { throw new Error(r.data && r.data.error ? r.data.error : "search failed"); }
      lastQuery = text;
      lastQueryName = nameField($("query")).value;
      var hits = r.data.hits || [];
      showHits(hits);
      setStatus(searchStatus, hits.length + " related document" + (hits.length === 1 ? "" : "s"), null);
    }).catch(function (err) {
      hitsList.replaceChildren();
      setStatus(searchStatus, err.message || String(err), "error");
    }).finally(function () {
      button.disabled = false;
    });
  });
})();
