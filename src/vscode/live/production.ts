// Whether a connection looks like production from its names alone (host, database, user). pgready never
// runs the live checks on its own there, whatever `pgready.liveChecks.onConnect` says; they run when the user
// asks. A false alarm only costs a click, so the test is generous: "prod", "production" or "prd" as a word
// or a name part ("db-prod-1", "shop_production", "prod01"), but not inside "product" or "reproduce".
const PRODUCTION_WORD = /(^|[^a-z])(prod(uction)?|prd)(?![a-z])/i;

export function looksLikeProduction(...names: (string | undefined)[]): boolean {
  return names.some((n) => !!n && PRODUCTION_WORD.test(n));
}
