// Package frontend is the HTML face of Kujdes: server-rendered html/template pages over the
// same use cases as the JSON API. Pages work without JavaScript; scripts only enhance.
package frontend

import "embed"

//go:embed templates static
var files embed.FS
