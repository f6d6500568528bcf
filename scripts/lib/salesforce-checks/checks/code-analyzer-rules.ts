// The Code Analyzer (PMD engine) rules this project gates on, picked from `pmd` (134 rules listed
// with code-analyzer-core 0.52.0 / pmd engine 0.46.0): every Apex Security rule (the AppExchange
// security review runs the same engine) plus the best-practice and error-prone rules that
// catch real defects. Severity: 1 Critical, 2 High, 3 Moderate, 4 Low. The check fails on ≤ 2.

/** Security rules; all gate. Default severities in brackets; `raise` lifts Moderate ones to High. */
export const SECURITY_RULES = [
  'ApexBadCrypto', // [2] hard-coded IV/key in Crypto calls
  'ApexCRUDViolation', // [2] SOQL/DML without CRUD/FLS check or user mode
  'ApexCSRF', // [1] DML in a constructor or init method
  'ApexDangerousMethods', // [3→2] FeatureManagement.checkPermission bypass, Configuration.disableTriggerCRUDSecurity, debug of secrets
  'ApexInsecureEndpoint', // [2] http:// endpoints
  'ApexOpenRedirect', // [2] PageReference to user input
  'ApexSharingViolations', // [3→2] classes with SOQL/DML and no sharing declaration
  'ApexSOQLInjection', // [2] Database.query with concatenated input
  'ApexSuggestUsingNamedCred', // [2] Authorization headers built in code instead of a Named Credential
  'ApexXSSFromEscapeFalse', // [2]
  'ApexXSSFromURLParam', // [2]
  'AvoidChangeProtectionUnprotected', // [1] AppExchange
  'AvoidGetInstanceWithTaint', // [3→2] AppExchange: custom settings getInstance with user input
  'AvoidGlobalInstallUninstallHandlers', // [1] AppExchange
  'AvoidHardcodedCredentialsInFieldDecls', // [3] AppExchange; warns only: it matches identifiers such as NAMED_CREDENTIAL
  'AvoidHardcodedCredentialsInHttpHeader', // [3→2] AppExchange
  'AvoidHardcodedCredentialsInSetPassword', // [1] AppExchange
  'AvoidHardcodedCredentialsInVarAssign', // [3] AppExchange; warns only: it matches identifiers such as NAMED_CREDENTIAL
  'AvoidHardcodedCredentialsInVarDecls', // [3] AppExchange; warns only: it matches identifiers such as NAMED_CREDENTIAL
  'AvoidInvalidCrudContentDistribution', // [3→2] AppExchange
  'AvoidSecurityEnforcedOldApiVersion', // [3→2] AppExchange: WITH SECURITY_ENFORCED before API 48
  'AvoidUnauthorizedApiSessionIdInApex', // [3→2] AppExchange
  'AvoidUnauthorizedGetSessionIdInApex', // [3→2] AppExchange
  'AvoidUnsafePasswordManagementUse', // [1] AppExchange
] as const;

/** Best-practice and error-prone rules; those at ≤ 2 (default or raised) gate, the rest are warnings. */
export const BEST_PRACTICE_RULES = [
  'ApexUnitTestClassShouldHaveAsserts', // [3]
  'ApexUnitTestMethodShouldHaveIsTestAnnotation', // [2]
  'ApexUnitTestShouldNotUseSeeAllDataTrue', // [2] tests must create their own data
  'AvoidDirectAccessTriggerMap', // [3]
  'AvoidGlobalModifier', // [3] global is forever in a managed package
  'AvoidHardcodingId', // [3→2] record ids differ per org
  'AvoidLogicInTrigger', // [3] logic belongs in a handler class
  'AvoidNonExistentAnnotations', // [4]
  'EmptyCatchBlock', // [2] swallowed errors
  'InaccessibleAuraEnabledGetter', // [3]
  'OperationWithLimitsInLoop', // [3→2] SOQL/DML in a loop hits governor limits
  'OverrideBothEqualsAndHashcode', // [2]
  'TestMethodsMustBeInTestClasses', // [3]
  'TypeShadowsBuiltInNamespace', // [2]
  'UnusedLocalVariable', // [3]
] as const;

/** Moderate rules raised to High so that they gate. */
export const RAISED_TO_HIGH = [
  'ApexDangerousMethods',
  'ApexSharingViolations',
  'AvoidGetInstanceWithTaint',
  'AvoidHardcodedCredentialsInHttpHeader',
  'AvoidInvalidCrudContentDistribution',
  'AvoidSecurityEnforcedOldApiVersion',
  'AvoidUnauthorizedApiSessionIdInApex',
  'AvoidUnauthorizedGetSessionIdInApex',
  'AvoidHardcodingId',
  'OperationWithLimitsInLoop',
] as const;

/** Violations at or below this severity level fail the check (2 = High). */
export const FAIL_AT_SEVERITY = 2;
