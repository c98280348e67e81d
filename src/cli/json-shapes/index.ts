import type { z } from "zod";

import { auditShape } from "./audit.js";
import { caInitShape } from "./ca-init.js";
import { caIntermediateCreateShape } from "./ca-intermediate-create.js";
import { caRetireShape } from "./ca-retire.js";
import { caRotateShape } from "./ca-rotate.js";
import { caShowShape } from "./ca-show.js";
import { certExportShape } from "./cert-export.js";
import { certInspectShape } from "./cert-inspect.js";
import { certIssueShape } from "./cert-issue.js";
import { certListShape } from "./cert-list.js";
import { certNeedsRenewalShape } from "./cert-needs-renewal.js";
import { certRenewShape } from "./cert-renew.js";
import { certRevokeShape } from "./cert-revoke.js";
import { certSignShape } from "./cert-sign.js";
import { certVerifyShape } from "./cert-verify.js";
import { crlStatusShape } from "./crl-status.js";
import { crlWriteShape } from "./crl-write.js";
import { errorShape } from "./error.js";
import { hbaApplyShape } from "./hba-apply.js";
import { hbaExplainShape } from "./hba-explain.js";
import { hbaLintShape } from "./hba-lint.js";
import { hbaRenderShape } from "./hba-render.js";
import { passwordAuditShape } from "./password-audit.js";
import { passwordGenerateShape } from "./password-generate.js";
import { passwordHashShape } from "./password-hash.js";
import { pgConninfoShape } from "./pg-conninfo.js";
import { pgSessionsShape } from "./pg-sessions.js";
import { pgTlsShape } from "./pg-tls.js";
import { quickstartShape } from "./quickstart.js";
import { roleApplyShape } from "./role-apply.js";
import { rolePlanShape } from "./role-plan.js";
import { sandboxDownShape } from "./sandbox-down.js";
import { sandboxStatusShape } from "./sandbox-status.js";
import { sandboxUpShape } from "./sandbox-up.js";
import { trustInstallShape } from "./trust-install.js";
import { trustPrintShape } from "./trust-print.js";

/**
 * The documented JSON document of every command (`noun verb`), one schema file each under
 * schemas/ (`npm run schemas`). A command with JSON output and no entry here fails
 * test/json-contract.test.ts. To add one: a file `<noun>-<verb>.ts` exporting its shape
 * (strict objects, built with `document()` from common.ts), and its line here.
 */
export const JSON_SHAPES: Readonly<Record<string, z.ZodType>> = {
  "ca init": caInitShape,
  "ca show": caShowShape,
  "ca intermediate create": caIntermediateCreateShape,
  "ca rotate": caRotateShape,
  "ca retire": caRetireShape,
  "cert issue": certIssueShape,
  "cert sign": certSignShape,
  "cert inspect": certInspectShape,
  "cert verify": certVerifyShape,
  "cert list": certListShape,
  "cert export": certExportShape,
  "cert revoke": certRevokeShape,
  "crl write": crlWriteShape,
  "crl status": crlStatusShape,
  "cert renew": certRenewShape,
  "cert needs-renewal": certNeedsRenewalShape,
  "trust print": trustPrintShape,
  "trust install": trustInstallShape,
  "sandbox up": sandboxUpShape,
  "sandbox down": sandboxDownShape,
  "sandbox status": sandboxStatusShape,
  "pg tls": pgTlsShape,
  "pg conninfo": pgConninfoShape,
  "pg sessions": pgSessionsShape,
  "hba render": hbaRenderShape,
  "hba lint": hbaLintShape,
  "hba explain": hbaExplainShape,
  "hba apply": hbaApplyShape,
  "password hash": passwordHashShape,
  "password generate": passwordGenerateShape,
  "password audit": passwordAuditShape,
  "role plan": rolePlanShape,
  "role apply": roleApplyShape,
  audit: auditShape,
  quickstart: quickstartShape,
};

/** The error object on stderr with --format json, the same for every command. */
export const ERROR_SHAPE: z.ZodType = errorShape;
