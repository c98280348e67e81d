import assert from "node:assert/strict";
import { test } from "node:test";

import { desiredParameter, parameterMatches, parameterNameSql, parameterValueSql } from "./role-parameter.js";

test("values become string literals; name lists go element by element, as PostgreSQL stores them", () => {
  assert.deepEqual(desiredParameter("Log_Min_Duration_Statement", 1000), {
    name: "log_min_duration_statement",
    value: "1000",
  });
  assert.deepEqual(desiredParameter("search_path", "monitor, public"), {
    name: "search_path",
    value: ["monitor", "public"],
  });
  // As SQL writes it (Pigsty's `SET search_path = "$user", public`): "$user" is the keyword, not a schema named with quotes.
  assert.deepEqual(desiredParameter("search_path", '"$user", public, "My ""Schema"""'), {
    name: "search_path",
    value: ["$user", "public", 'My "Schema"'],
  });
  assert.deepEqual(
    desiredParameter("application_name", "a,b"),
    { name: "application_name", value: "a,b" },
    "only name lists split at commas",
  );
  assert.deepEqual(desiredParameter("work_mem", null), { name: "work_mem", value: null });
  assert.equal(parameterValueSql("it's"), "'it''s'");
  assert.equal(parameterValueSql(["monitor", "$user"]), "'monitor', '$user'");
  assert.equal(parameterNameSql("pg_stat_statements.track"), '"pg_stat_statements"."track"');
});

test("stored values compare as PostgreSQL wrote them: quoted list elements, exact single values", () => {
  assert.equal(parameterMatches("1000", desiredParameter("x", 1000)), true);
  assert.equal(
    parameterMatches("1s", desiredParameter("x", "1000ms")),
    false,
    "units are not interpreted: the text differs",
  );
  assert.equal(
    parameterMatches(
      'monitor, "$user", "My ""Schema"""',
      desiredParameter("search_path", ["monitor", "$user", 'My "Schema"']),
    ),
    true,
  );
  assert.equal(parameterMatches("monitor", desiredParameter("search_path", "monitor,public")), false);
  assert.equal(parameterMatches(undefined, desiredParameter("x", null)), true, "reset and absent: nothing to do");
  assert.equal(parameterMatches("5", desiredParameter("x", null)), false);
  assert.equal(parameterMatches(undefined, desiredParameter("x", "5")), false);
});
