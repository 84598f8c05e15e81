import { DatabaseSecretKeys } from '../secret-keys';
import { envVarName, Problem, secretKey, show } from './validators';

/** Final variable names by key, and what was wrong with the renaming. */
export interface RenamedVariables {
  readonly names: { [key: string]: string };
  readonly problems: Problem[];
}

/**
 * The one way variables are renamed, on both sides: `envNames` maps a contract key (`DB_HOST`, …)
 * or a setting name (`DB_POOL_SIZE`, …) to the name the app reads. Returns the final name of each
 * key in `keys` and the problems: unknown keys in `envNames`, names that are not environment
 * variable names, and two variables given one name.
 */
export function renameVariables(prop: string, keys: string[], envNames: { [key: string]: string } = {}): RenamedVariables {
  const problems: Problem[] = [];
  for (const key of Object.keys(envNames)) {
    if (!keys.includes(key)) {
      problems.push(`${prop} renames ${show(key)}, which is not a variable here. Rename only ${keys.join(', ')}.`);
    }
  }
  const names: { [key: string]: string } = {};
  const owners = new Map<string, string>();
  for (const key of keys) {
    const name = envNames[key] ?? key;
    if (envNames[key] !== undefined) problems.push(envVarName(`${prop}.${key}`, name));
    const other = owners.get(name);
    if (other !== undefined) {
      problems.push(`${prop} gives ${other} and ${key} the same name ${show(name)}. Give each variable its own name.`);
    }
    owners.set(name, key);
    names[key] = name;
  }
  return { names, problems };
}

/**
 * Problems of a contract-key-to-Secret-key mapping: contract keys only, valid Secret keys, no key
 * used twice, and `DATABASE_URL` present.
 */
export function keyMappingProblems(keyMapping?: { [contractKey: string]: string }): Problem[] {
  if (keyMapping === undefined) return [];
  const contract = DatabaseSecretKeys.connectionKeys();
  const problems: Problem[] = [];
  const used = new Map<string, string>();
  for (const [contractKey, key] of Object.entries(keyMapping)) {
    if (!contract.includes(contractKey)) {
      problems.push(`keyMapping has ${show(contractKey)}, which is not a connection key. Map only ${contract.join(', ')}.`);
    }
    problems.push(secretKey(`keyMapping.${contractKey}`, key));
    const previous = used.get(key);
    if (previous !== undefined) {
      problems.push(`keyMapping maps both ${previous} and ${contractKey} to the Secret key ${show(key)}. Each connection key needs its own Secret key.`);
    }
    used.set(key, contractKey);
  }
  if (keyMapping[DatabaseSecretKeys.URL] === undefined) {
    problems.push(`keyMapping must map ${DatabaseSecretKeys.URL} (got ${show(Object.keys(keyMapping))}). `
      + `Name the Secret key that holds the connection URL, e.g. { ${DatabaseSecretKeys.URL}: 'database-url' }.`);
  }
  return problems;
}
