/**
 * @description The only Opportunity trigger of the package; all logic is in OpportunityTriggerHandler.
 */
trigger OpportunityTrigger on Opportunity(before insert, before update, after insert, after update) {
    new OpportunityTriggerHandler().run();
}
