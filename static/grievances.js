// The new-case form: the parties of a dispute are asked for only when the kind is "dispute".
// Without JavaScript the fieldset simply stays visible (the server refuses parties on other kinds).
(function () {
  "use strict";
  var form = document.getElementById("case-form");
  if (!form) return;
  var kind = form.querySelector("select[name='kind']");
  var parties = document.getElementById("case-parties");
  if (!kind || !parties) return;
  function update() {
    parties.hidden = kind.value !== "dispute";
  }
  kind.addEventListener("change", update);
  update();
})();
