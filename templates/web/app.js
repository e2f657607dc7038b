// The self-check page: posts the chosen file with the form (and any column mapping) and shows
// the result the server renders; downloads come back as files. No third-party code.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  var result = document.getElementById("result");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");

  function formData() {
    var fd = new FormData(form);
    // the columns named so far (kept by the server in the result) and those chosen now
    result.querySelectorAll("input.map-chosen, select.map-select").forEach(function (s) {
      if (s.value) { fd.append("map", s.value); }
    });
    return fd;
  }

  function post(url) {
    var body = formData();            // before the result (and its column choices) is replaced
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRF-Token": token },
                        credentials: "same-origin" });
  }

  function check() {
    var sent = post("check");
    result.setAttribute("aria-busy", "true");
    result.textContent = "…";
    return sent.then(function (r) {
      result.dataset.status = String(r.status);
      return r.text();
    }).then(function (html) {
      result.innerHTML = html;          // rendered and escaped by the server
      result.removeAttribute("aria-busy");
      bind();
      var period = result.querySelector("#result-error") && document.getElementById("period");
      if (period && !period.value) { period.focus(); }
    });
  }

  function download(event) {
    var kind = event.currentTarget.getAttribute("data-download");
    event.currentTarget.disabled = true;
    var button = event.currentTarget;
    post("download/" + kind).then(function (r) {
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error); }); }
      var name = r.headers.get("X-Filename") || kind;
      return r.blob().then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    }).catch(function (e) { window.alert(e.message); }).finally(function () { button.disabled = false; });
  }

  function bind() {
    result.querySelectorAll("button[data-download]").forEach(function (b) { b.addEventListener("click", download); });
    var apply = result.querySelector("#apply-map");
    if (apply) { apply.addEventListener("click", function () { check(); }); }
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); check(); });
})();
