package pgsetup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/testdb"
)

// A DATABASE_URL naming a database that does not exist yet gets it created.
func TestResolveCreatesTheDatabase(t *testing.T) {
	c := testdb.Config(t)
	name := fmt.Sprintf("kujdes_pgsetup_%d", time.Now().UnixNano())
	u := &url.URL{Scheme: "postgres", Host: c.Host + ":" + c.Port, Path: "/" + name, RawQuery: "sslmode=disable"}
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	} else {
		u.User = url.User(c.User)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", strings.Replace(u.String(), "/"+name, "/postgres", 1))
		if err == nil {
			admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
			admin.Close()
		}
	})
	srv, err := Resolve(context.Background(), u.String(), t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if srv.Embedded || srv.URL != u.String() {
		t.Fatalf("resolved %+v", srv)
	}
	db, err := sql.Open("pgx", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(`SELECT current_database()`).Scan(&got); err != nil || got != name {
		t.Fatalf("database %q: %v", got, err)
	}
	// Resolving again is harmless.
	if _, err := Resolve(context.Background(), u.String(), t.TempDir(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
}

// The embedded server: as root PostgreSQL refuses to run, and Kujdes says what to do instead;
// as a normal user it starts under the data folder with the machine's binaries and answers.
func TestEmbeddedServer(t *testing.T) {
	if _, _, ok := localBinaries(); !ok {
		t.Fatal("no PostgreSQL binaries under /usr/lib/postgresql: install the postgresql package")
	}
	dir := t.TempDir()
	srv, err := StartEmbedded(context.Background(), dir, slog.New(slog.DiscardHandler))
	if os.Geteuid() == 0 {
		if !errors.Is(err, ErrEmbeddedAsRoot) || !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "docker compose up") {
			t.Fatalf("as root: want the explanation of what to do, got %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	db, err := sql.Open("pgx", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("embedded server does not answer: %v", err)
	}
}
