import { document, hbaApplied } from "./common.js";

export const hbaApplyShape = document(hbaApplied.shape, "pgwarden hba apply");
