/* The referral card (agencies/card.html): what the worker types is mirrored for printing and added to the
   copied text, and never leaves the browser (no form, no request). */
(function () {
  "use strict";
  var card = document.getElementById("referral-card");
  if (!card) { return; }
  card.classList.add("js-ready");
  var note = card.querySelector(".note-input"), notePrint = card.querySelector(".note-print");
  var bring = card.querySelector(".bring-input"), bringPrint = card.querySelector(".bring-print");
  var shareText = document.querySelector(".share-text"), status = document.querySelector(".copy-status");
  function mirror() {
    notePrint.textContent = note.value;
    bringPrint.textContent = bring.value;
    card.classList.toggle("has-note", note.value.trim() !== "");
    card.classList.toggle("has-bring", bring.value.trim() !== "");
  }
  note.addEventListener("input", mirror);
  bring.addEventListener("input", mirror);
  function text() {
    var out = shareText.value;
    if (bring.value.trim()) { out += "\n" + shareText.dataset.bring + ": " + bring.value.trim(); }
    if (note.value.trim()) { out += "\n\n" + note.value.trim(); }
    return out;
  }
  document.querySelector(".print-card").addEventListener("click", function () { mirror(); window.print(); });
  var copy = document.querySelector(".copy-text");
  if (navigator.clipboard && window.isSecureContext !== false) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(text()).then(function () { status.textContent = copy.dataset.done; },
        function () { status.textContent = copy.dataset.failed; });
    });
  }
  var share = document.querySelector(".share-button");
  if (navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () { navigator.share({ text: text() }).catch(function () {}); });
  }
  mirror();
})();
