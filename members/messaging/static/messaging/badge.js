// The unread badge in the header (and its copy on the menu button) follows new messages
// on an open page: every data-poll-ms it asks data-url whether the count is still
// data-unread; 204 means it is, 200 brings the badge's new markup. Not while the tab is
// hidden; it stops on any other answer (logged out, say).
(function () {
  "use strict";
  function badge() {
    return document.getElementById("messages-nav");
  }
  var first = badge();
  var every = first ? parseInt(first.dataset.pollMs, 10) : 0;
  if (!every) {
    return;
  }
  var timer = setInterval(function () {
    var item = badge();
    if (!item) {
      clearInterval(timer);
      return;
    }
    if (document.hidden) {
      return;
    }
    var url = item.dataset.url + "?n=" + encodeURIComponent(item.dataset.unread);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 204) {
          return;
        }
        if (response.status !== 200) {
          clearInterval(timer);
          return;
        }
        return response.text().then(function (html) {
          item.outerHTML = html.trim();
          // The count beside the menu button, for phones (where the menu is folded).
          var folded = document.getElementById("unread-toggler");
          var count = parseInt(badge().dataset.unread, 10) || 0;
          if (folded) {
            folded.textContent = count;
            folded.classList.toggle("d-none", count === 0);
          }
        });
      })
      .catch(function () {});
  }, every);
})();
