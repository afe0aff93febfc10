// The page's own behaviour, kept out of the HTML so the Content-Security-Policy can
// refuse every inline script. "Start" and "Restart" reload the page (a new session).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.restart")) {
    button.addEventListener("click", () => {
      window.location.href = window.location.pathname + window.location.search;
    });
  }
});

// textual.js sends each key the moment the terminal has it, but its websocket may
// still be connecting: WebSocket.send then throws and the key is lost. Keys sent
// before the socket opens are queued and sent, in order, as it opens (the server
// then holds them until the reader can take them).
(() => {
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (this.readyState !== WebSocket.CONNECTING) {
      return send.call(this, data);
    }
    if (!this.__newsdeskQueue) {
      this.__newsdeskQueue = [];
      // textual.js registered its own "open" listener when it made the socket, so its
      // resize goes out first, then the queued keys.
      this.addEventListener("open", () => {
        for (const queued of this.__newsdeskQueue.splice(0)) send.call(this, queued);
      });
    }
    this.__newsdeskQueue.push(data);
  };
})();
