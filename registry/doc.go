// Package registry holds Kujdes' use cases: RegisterArrival, AppointGuardian, RecordPlacement…
// Both faces (the JSON API in api/ and the pages in frontend/) call the same use case, so every
// rule lives here exactly once. Each use case:
//
//  1. takes the request context and an Actor (who is acting, with role and scope);
//  2. checks the actor's permission;
//  3. validates the whole input before any write, returning *models.ValidationError with
//     every invalid field: CheckInput first (the text rules and limits of every field, from
//     its `input` tag — limits.go), then the use case's own rules;
//  4. builds every query of a child's data through the scope predicates of scope.go
//     (scopedChild for one child, childViews for lists), so an out-of-scope record is
//     indistinguishable from a missing one (models.ErrNotFound) — and passes a refused
//     single-child read through r.denied, which audits it (denied.go);
//  5. writes in one transaction, together with its audit event;
//  6. updates with an optimistic version check (stale → models.ErrConflict);
//  7. changes a child's status only through a transition of lifecycle.go, and only the
//     fields the actor's roles may change (auth/fields.go, carried as Actor.ChildFields);
//     an identity edit keeps the needs an actor may not change when it leaves them out
//     (identity.go keepUneditable);
//  8. pages a list by the one paging rule of page.go (after ≥ 0, limit 1..MaxPageSize),
//     which the API's query parameters, the pages' ?after= and the search body share:
//     out of range is refused, never clamped.
//
// Handlers only decode input, call one use case and encode the result.
package registry
