/* "내 위치에서 찾기": the browser's own geolocation (no external script, nothing sent but to this site's search).
   The position goes only into the search URL (near=lat,lon), as a typed coordinate would. */
(function () {
  "use strict";
  if (!("geolocation" in navigator)) { return; }
  document.querySelectorAll("p.locate").forEach(function (box) {
    var button = box.querySelector(".use-location");
    var status = box.querySelector(".locate-status");
    box.hidden = false;
    button.addEventListener("click", function () {
      var form = box.previousElementSibling && box.previousElementSibling.tagName === "FORM"
        ? box.previousElementSibling : null;
      var query = form && form.elements.q ? form.elements.q.value.trim() : "";
      status.textContent = status.dataset.waiting;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var near = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
        var url = box.dataset.search + "?near=" + encodeURIComponent(near) + "&sort=distance";
        if (query) { url += "&q=" + encodeURIComponent(query); }
        window.location.assign(url);
      }, function () {
        status.textContent = status.dataset.denied;
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });
})();
