// The page of a background import (interviews/admin/uploads.py, UploadJobAdmin): while
// the import runs, fetch the page again every few seconds and update the count and the
// progress bar in place; once it has ended, show the new page's content (the report).
// A script file because the Content-Security-Policy allows no inline script; not a meta
// refresh, which reloads the whole page under the reader (WCAG 2.2.1).
"use strict";
(function () {
  const content = document.getElementById("content");
  const main = document.getElementById("content-main");
  if (!content || !main || !main.dataset.refreshSeconds) {
    return;
  }
  const delay = 1000 * Number(main.dataset.refreshSeconds);

  function update(fresh) {
    const freshMain = fresh.getElementById("content-main");
    const freshContent = fresh.getElementById("content");
    if (!freshMain || !freshContent) {
      return false;
    }
    if (!freshMain.dataset.refreshSeconds) {
      content.replaceChildren(...document.adoptNode(freshContent).childNodes);
      return false;
    }
    // Changed in place: the status paragraph is a live region, which screen readers
    // announce when its text changes, not when it is replaced.
    const status = main.querySelector("p.status");
    const freshStatus = freshMain.querySelector("p.status");
    if (status && freshStatus && status.textContent !== freshStatus.textContent) {
      status.textContent = freshStatus.textContent;
    }
    const bar = main.querySelector("progress");
    const freshBar = freshMain.querySelector("progress");
    if (bar && freshBar) {
      bar.max = freshBar.max;
      bar.value = freshBar.value;
      bar.textContent = freshBar.textContent;
    }
    return true;
  }

  function poll() {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        if (update(fresh)) {
          window.setTimeout(poll, delay);
        }
      })
      // A network hiccup or a new login needed: the reader may reload the page by hand.
      .catch(() => window.setTimeout(poll, 4 * delay));
  }

  window.setTimeout(poll, delay);
})();
