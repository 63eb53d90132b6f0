/**
 * Which rule groups on a ruler are metricops': those in its ruler namespace (`--ruler-namespace`, default
 * `metricops`) whose names it generates. Only those are ever changed or deleted. Other groups found in that
 * namespace are left alone and reported, so a namespace chosen by mistake is not wiped; other namespaces are never
 * read. One `metricops sync` per ruler namespace and tenant: two syncs sharing one would delete each other's groups.
 */
export const DEFAULT_RULER_NAMESPACE = 'metricops';

/** The group names rule generation gives (slo-compiler/rules/slo-rule-groups.ts and the inline rules' group). */
const GENERATED_GROUP_NAME = /^(?:metricops-slo-sli-hourly-|sloth-slo-sli-recordings-|sloth-slo-meta-recordings-|sloth-slo-alerts-|sloth-slo-extra-rules-).+$|^metricops-inline-rules$/;

export function isGeneratedGroupName(name: string): boolean {
  return GENERATED_GROUP_NAME.test(name);
}
