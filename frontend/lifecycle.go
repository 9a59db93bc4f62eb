package frontend

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/internal/pdf"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// The case lifecycle on a child's page (issue 10): turning 18 and the transition plan (S13),
// information on rights (S11) and the printable rights sheet, reunification and transfer.
// Every form posts to its own route and runs its registry use case; a refused form shows the
// child's page again with what was typed and the errors next to the fields.

func (f *Frontend) lifecycleRoutes(r gin.IRouter) {
	r.POST("/children/:id/reunify", f.reunify)
	r.POST("/children/:id/transfer", f.transfer)
	r.POST("/children/:id/transition-plans", f.recordTransitionPlan)
	r.POST("/children/:id/rights-information", f.recordRightsInformation)
	r.GET("/children/:id/rights-sheet", f.rightsSheet)
	r.GET("/children/:id/rights-sheet.pdf", f.rightsSheetPDF)
}

// lifecycleData is the lifecycle section of the child page.
type lifecycleData struct {
	Section registry.LifecycleSection
	// Failed names the form that was refused ("reunify", "transfer", "plan", "rights"), so
	// only that form shows the errors.
	Failed string
	// Errors are the refused form's messages by field.
	Errors   map[string]string
	Reunify  registry.ReunifyInput
	Transfer registry.TransferInput
	Plan     registry.TransitionPlanInput
	Rights   registry.RightsInput
	// Methods are the ways of informing; SheetLanguages the rights sheet's languages, the
	// child's own first (SheetLanguage).
	Methods        []string
	SheetLanguages []i18n.Language
	SheetLanguage  string
	// MayReunify: the reunify and transfer transitions may start from the child's status.
	MayReunify, MayTransfer bool
}

func (f *Frontend) loadLifecycle(c *gin.Context, p *childPage) error {
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	s, err := f.Registry.Lifecycle(ctx, a, p.Child.ID)
	if err != nil {
		return err
	}
	l := &p.Lifecycle
	l.Section, l.Methods = s, registry.RightsMethods
	if f.Rights != nil {
		l.SheetLanguages = f.Rights.Languages()
		l.SheetLanguage = f.Rights.For(p.Child.Languages).Tag
	}
	today := f.now().Format(time.DateOnly)
	for _, d := range []*string{&l.Reunify.ReunifiedOn, &l.Transfer.TransferredOn, &l.Plan.PlannedOn, &l.Rights.InformedOn} {
		if *d == "" {
			*d = today
		}
	}
	if l.Rights.Language == "" {
		l.Rights.Language = l.SheetLanguage
	}
	for _, t := range registry.Transitions() {
		ok := a.Can(t.Permission) && slices.Contains(t.From, p.Child.Status)
		switch t.Name {
		case "reunify":
			l.MayReunify = ok
		case "transfer":
			l.MayTransfer = ok
		}
	}
	return nil
}

// lifecycleResult answers a lifecycle form: back to the section's heading (anchor) when saved,
// else the page again with the errors (invalid input, 422), the record as it is now (a stale
// version, 409), or the error page; keep puts what was typed back in the refused form.
func (f *Frontend) lifecycleResult(c *gin.Context, id int64, form, anchor string, err error, keep func(*lifecycleData)) {
	f.childFormResult(c, id, fmt.Sprintf("/children/%d?saved=1#%s", id, anchor), err, func(p *childPage, r refusal) error {
		p.Conflict, p.Lifecycle.Failed, p.Lifecycle.Errors = r.stale, form, r.fields
		keep(&p.Lifecycle)
		return nil
	})
}

func (f *Frontend) reunify(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	version, _ := strconv.Atoi(c.PostForm("version"))
	in := registry.ReunifyInput{ReunifiedOn: c.PostForm("reunified_on"), Where: c.PostForm("where"), With: c.PostForm("with"), Note: c.PostForm("note")}
	_, err := f.Registry.Reunify(ctx, auth.ActorFrom(ctx), id, version, in)
	f.lifecycleResult(c, id, "reunify", "lifecycle-heading", err, func(l *lifecycleData) { l.Reunify = in })
}

func (f *Frontend) transfer(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	version, _ := strconv.Atoi(c.PostForm("version"))
	in := registry.TransferInput{TransferredOn: c.PostForm("transferred_on"), DestinationCountry: c.PostForm("destination_country"),
		DestinationAuthority: c.PostForm("destination_authority"), Reference: c.PostForm("reference"), Note: c.PostForm("note")}
	_, err := f.Registry.Transfer(ctx, auth.ActorFrom(ctx), id, version, in)
	f.lifecycleResult(c, id, "transfer", "lifecycle-heading", err, func(l *lifecycleData) { l.Transfer = in })
}

func (f *Frontend) recordTransitionPlan(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.TransitionPlanInput{PlannedOn: c.PostForm("planned_on"), Summary: c.PostForm("summary")}
	_, err := f.Registry.RecordTransitionPlan(ctx, auth.ActorFrom(ctx), id, in)
	f.lifecycleResult(c, id, "plan", "lifecycle-heading", err, func(l *lifecycleData) { l.Plan = in })
}

func (f *Frontend) recordRightsInformation(c *gin.Context) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return
	}
	ctx := c.Request.Context()
	in := registry.RightsInput{InformedOn: c.PostForm("informed_on"), Language: c.PostForm("language"), Method: c.PostForm("method"), Note: c.PostForm("note")}
	_, err := f.Registry.RecordRightsInformation(ctx, auth.ActorFrom(ctx), id, in)
	f.lifecycleResult(c, id, "rights", "rights-heading", err, func(l *lifecycleData) { l.Rights = in })
}

// rightsSheetPage is the data of the rights sheet, a document of its own (no site layout):
// the same HTML is shown for printing and printed to PDF.
type rightsSheetPage struct {
	Lang      i18n.Language
	Sheet     registry.RightsSheet
	Languages []i18n.Language
	// PDF is set for the document given to Chromium: no language links, no print button.
	PDF bool
	// CSS is the sheet's style sheet, inline in the PDF's document (it loads nothing);
	// CSSURL the same file as a static asset for the page (the CSP allows no inline style).
	CSS    template.CSS
	CSSURL string
	// UILang is the reader's interface language, the toolbar's.
	UILang i18n.Language
	loc    *i18n.Localizer
	ui     *i18n.Localizer
}

// Name and Number are the child's given name and registration number, isolated (FSI/LRI …
// PDI) so they keep their own direction inside a sentence of the other direction.
func (p rightsSheetPage) Name() string {
	n := p.Sheet.GivenName
	if n == "" {
		n = p.Sheet.GivenNameLatin
	}
	return "\u2068" + n + "\u2069"
}

// Number is the registration number, left to right.
func (p rightsSheetPage) Number() string { return "\u2066" + p.Sheet.RegistrationNumber + "\u2069" }

// R translates a rights-sheet message (i18n/rights/) in the sheet's language.
func (p rightsSheetPage) R(id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return p.loc.T(id, data)
}

// UI translates a staff-interface message in the reader's language (the print button, the
// language links), which may differ from the sheet's.
func (p rightsSheetPage) UI(id string) string {
	if p.ui == nil {
		return id
	}
	return p.ui.T(id)
}

var (
	rightsTemplate = template.Must(template.ParseFS(files, "templates/rights/sheet.html"))
	rightsCSS      = func() string {
		b, err := files.ReadFile("static/rights.css")
		if err != nil {
			panic(err)
		}
		return string(b)
	}()
)

// renderRightsSheet reads the sheet's data (audited) and renders it in the ?language= language
// (default: the first of the child's languages the sheet has). Not ?lang=: that one chooses
// the reader's interface language and keeps it in a cookie, and printing a sheet for a child
// in Pashto must not turn the officer's screens into Pashto. ok is false when it answered.
func (f *Frontend) renderRightsSheet(c *gin.Context, forPDF bool) ([]byte, i18n.Language, bool) {
	id, ok := childID(c)
	if !ok {
		f.RenderError(c, http.StatusNotFound)
		return nil, i18n.Language{}, false
	}
	ctx := c.Request.Context()
	a := auth.ActorFrom(ctx)
	lang, langGiven := f.Rights.Supported(c.Query("language"))
	if c.Query("language") != "" && !langGiven {
		f.renderBadRequest(c, models.FieldError{Field: "language", Code: "code_unknown", Data: map[string]any{"Value": c.Query("language")}})
		return nil, lang, false
	}
	sheet, err := f.Registry.ChildRightsSheet(ctx, a, id, lang.Tag)
	if err != nil {
		f.fail(c, err)
		return nil, lang, false
	}
	if !langGiven {
		lang = f.Rights.For(sheet.Languages)
	}
	p := rightsSheetPage{Lang: lang, Sheet: sheet, Languages: f.Rights.Languages(), PDF: forPDF, loc: f.Rights.Localizer(lang), ui: i18n.FromContext(ctx)}
	if p.ui != nil {
		p.UILang = p.ui.Language
	}
	if forPDF {
		p.CSS = template.CSS(rightsCSS)
	} else {
		p.CSSURL = f.AssetURL("rights.css")
	}
	var buf bytes.Buffer
	if err := rightsTemplate.ExecuteTemplate(&buf, "sheet", p); err != nil {
		f.fail(c, err)
		return nil, lang, false
	}
	return buf.Bytes(), lang, true
}

func (f *Frontend) rightsSheet(c *gin.Context) {
	body, lang, ok := f.renderRightsSheet(c, false)
	if !ok {
		return
	}
	c.Header("Content-Language", lang.Tag)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", body)
}

// pdfWait is the longest a reader waits for a PDF (the first print starts the browser, which
// can take long on a loaded server); after it, the page points to the printable sheet.
const pdfWait = 20 * time.Second

// rightsSheetPDF prints the sheet through Chromium (printPDF).
func (f *Frontend) rightsSheetPDF(c *gin.Context) {
	body, lang, ok := f.renderRightsSheet(c, true)
	if !ok {
		return
	}
	c.Header("Content-Language", lang.Tag)
	f.printPDF(c, body, pdfDoc{what: "rights sheet", msg: "rights_sheet",
		printable: fmt.Sprintf("/children/%s/rights-sheet?language=%s", c.Param("id"), lang.Tag),
		filename:  fmt.Sprintf("rights-%s-%s.pdf", c.Param("id"), lang.Tag)})
}

// pdfDoc describes a page printed to PDF: what it is (for the log), its messages' prefix
// (<msg>.pdf_unavailable.title/.text, <msg>.pdf_busy.text, <msg>.open_printable), the
// printable page to point to when printing fails, and the file's name.
type pdfDoc struct{ what, msg, printable, filename string }

// printPDF prints an HTML page through Chromium and sends it. Without a browser, or when
// printing takes longer than pdfWait, it says so and points to the printable page (503).
func (f *Frontend) printPDF(c *gin.Context, body []byte, d pdfDoc) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), pdfWait)
	defer cancel()
	out, err := f.PDF.Print(ctx, body)
	if errors.Is(err, pdf.ErrNoBrowser) || (errors.Is(err, context.DeadlineExceeded) && c.Request.Context().Err() == nil) {
		text := d.msg + ".pdf_unavailable.text"
		if errors.Is(err, pdf.ErrNoBrowser) {
			f.Log.WarnContext(c.Request.Context(), d.what+": no PDF printer", "path", f.PDF.Path)
		} else {
			text = d.msg + ".pdf_busy.text"
		}
		f.r.render(c, http.StatusServiceUnavailable, "message", d.msg+".pdf_unavailable.title", message{
			TitleID: d.msg + ".pdf_unavailable.title", TextID: text, Link: d.printable, LinkID: d.msg + ".open_printable"})
		return
	}
	if err != nil {
		f.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `inline; filename="`+d.filename+`"`)
	c.Data(http.StatusOK, "application/pdf", out)
}
