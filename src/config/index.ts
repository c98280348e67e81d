/** The inventory: Pigsty's Ansible YAML, loaded, validated and queried. */
export { loadInventory, parseInventory } from "./load-inventory.js";
export { clusterMembers, clusterNames, groupHosts, hostVars, instanceName, instanceVars, resolveInstance, type Inventory, type InventoryGroup } from "./inventory.js";
export { HBA_RULE_KEYS, PG_ROLES, inventoryVarsSchema, type HbaRuleKey, type InventoryVars, type PgRole } from "./schema.js";
export { PIGSTY_DEFAULTS } from "./pigsty-defaults.js";
