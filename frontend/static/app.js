// Kujdes pages work without JavaScript; this file only enhances them.
"use strict";
document.documentElement.classList.add("js");
// A refused form's error summary is read first (GOV.UK pattern; autofocus does it too where
// the browser honours it on a non-control).
{
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
}
