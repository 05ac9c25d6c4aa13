// Conveniences over pages that work without script: "select all" on the products list, and a
// confirmation before signing out every other session.
document.addEventListener("DOMContentLoaded", function () {
  var boxes = document.querySelectorAll("input[name=id][type=checkbox]");
  var form = boxes.length && boxes[0].form;
  if (form) {
    var all = document.createElement("button");
    all.type = "button";
    all.textContent = "Select all";
    all.addEventListener("click", function () {
      boxes.forEach(function (b) { b.checked = true; });
    });
    form.insertBefore(all, form.querySelector("button[type=submit]"));
  }
  var others = document.querySelector("form[action='/sessions/others']");
  if (others) {
    others.addEventListener("submit", function (e) {
      if (!window.confirm("Sign out every other session?")) e.preventDefault();
    });
  }
});
