// Glue role: the clipboard. Writes the text C++ gives (an invite link) and reports whether it worked.
// Must not: choose the text or what happens on failure (C++ shows the link to copy by hand).
(function clipboard({ expose, callApp, errorText }) {
  function copyText(request, text) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      callApp('moimOnClipboard', request, false, 'NoClipboard');  // C++ says it in words (app_invite.cpp)
      return;
    }
    navigator.clipboard.writeText(text).then(() => callApp('moimOnClipboard', request, true, ''),
      (e) => callApp('moimOnClipboard', request, false, errorText(e)));
  }
  // A throw still answers the request, so C++ never waits for ever.
  expose('copyText', (request, text) => {
    try { copyText(request, text); } catch (e) { callApp('moimOnClipboard', request, false, errorText(e)); }
  });
})(glue);
