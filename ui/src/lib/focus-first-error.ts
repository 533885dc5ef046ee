/**
 * After a form submit that came back with field errors, focus goes to the first field in the page
 * that has one (WCAG 2.1 SC 3.3.1). Fields call `focusFirstErrorSoon` when their errors appear;
 * the calls of one update are folded into one move, made once every field has marked itself. Only
 * a submit arms the move, so errors found while someone types never take their focus away.
 */
let armed = false;
let pending = false;

if (typeof document !== 'undefined') {
  document.addEventListener('submit', () => (armed = true), true);
}

export function focusFirstErrorSoon(): void {
  if (!armed || pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    armed = false;
    document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, 0);
}
