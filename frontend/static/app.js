// Kujdes pages work without JavaScript; this file only enhances them.
"use strict";
document.documentElement.classList.add("js");
