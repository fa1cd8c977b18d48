// Glue role: the text overlay. Text is typed into one real <input> (#text-overlay in index.html),
// placed over the canvas field C++ says is focused, so IMEs (Korean), paste and mobile keyboards work;
// its value, Enter / Escape / Tab and losing focus go back to C++ (wasm/text_fields.cpp).
// Must not: edit, check or keep the text, or decide what a key does: C++ owns the field's value,
// its limits and its placement.
(function textOverlay({ shared, expose, callApp, guard }) {
  const overlay = () => document.getElementById('text-overlay');
  let overlayShown = false;

  function showTextInput(x, y, w, h, value, maxLength, fontPx, placeholder, password, readOnly) {
    const el = overlay();
    el.readOnly = !!readOnly;
    const type = password ? 'password' : 'text';
    if (el.type !== type) {
      el.type = type;
      el.autocomplete = password ? 'new-password' : 'off';
    }
    el.style.left = x + 'px';
    el.style.top = y + 'px';
    el.style.width = w + 'px';
    el.style.height = h + 'px';
    el.style.fontSize = fontPx + 'px';
    el.maxLength = maxLength;
    el.placeholder = placeholder;
    if (!overlayShown) {
      el.value = value;
      el.hidden = false;
      overlayShown = true;
      el.focus();
      if (readOnly) el.select();  // to be copied by hand: all of it selected
      else el.setSelectionRange(el.value.length, el.value.length);
    }
  }
  // C++ replaced the focused field's value (a chat message was sent: the field is empty again).
  function setTextInputValue(value) {
    if (overlayShown) overlay().value = value;
  }
  function hideTextInput() {
    if (!overlayShown) return;
    overlayShown = false;
    const el = overlay();
    el.hidden = true;
    el.blur();
  }
  function installListeners() {
    const el = overlay();
    el.addEventListener('input', guard(() => callApp('moimOnTextInput', el.value)));
    el.addEventListener('keydown', guard((e) => {
      if (e.isComposing || e.keyCode === 229) return;  // the IME owns Enter while composing
      if (e.key === 'Enter' || e.key === 'Escape' || e.key === 'Tab') {
        e.preventDefault();
        callApp('moimOnTextKey', e.key);
      }
    }));
    el.addEventListener('blur', guard(() => {
      if (!overlayShown) return;
      overlayShown = false;
      el.hidden = true;
      callApp('moimOnTextBlur');
    }));
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', guard(installListeners));
  else installListeners();

  shared.hideTextInput = hideTextInput;  // for page_loading.js: a fatal error takes the field away

  expose('showTextInput', showTextInput);
  expose('hideTextInput', hideTextInput);
  expose('setTextInputValue', setTextInputValue);
})(glue);
