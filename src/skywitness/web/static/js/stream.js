// Server-sent events from /api/stream: one EventSource, JSON payloads dispatched by event name.
// The browser reconnects by itself after an error; the status shows the connection state.

const EVENTS = ["positions", "aircraft", "flight", "alert", "dropped"];

export function connectStream(handlers, onState) {
  if (!window.EventSource) return null;
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => onState(true));
  source.addEventListener("error", () => onState(false));
  for (const name of EVENTS) {
    const handler = handlers[name];
    if (!handler) continue;
    source.addEventListener(name, (msg) => {
      let data;
      try {
        data = JSON.parse(msg.data);
      } catch (_) {
        return; // a malformed message is ignored rather than breaking the stream
      }
      handler(data);
    });
  }
  return source;
}
