// Light enhancement only: search, filters, paging and meeting pages all work without this file.
(function () {
  "use strict";
  var box = document.getElementById("q");

  // "/" jumps to the search box, as on many search sites.
  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (e.key === "/" && box && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Phone width: fold the filters so the results come first on screen.
  var filters = document.querySelector(".filters-box");
  if (filters && window.matchMedia("(max-width: 760px)").matches) {
    filters.open = false;
  }

  // Meeting page: land on the hit paragraph (also when the link had no #p-N) and let a
  // screen reader start reading there. A #p-N in the address wins over the server's guess.
  var target = location.hash && document.getElementById(location.hash.slice(1));
  var hit = target && target.classList.contains("para") ? target : document.querySelector(".para.hit");
  if (hit) {
    if (!location.hash) {
      hit.scrollIntoView({ block: "center" });
    }
    hit.focus({ preventScroll: true });
  }
})();
