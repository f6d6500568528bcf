/**
 * @description The only Account trigger of the package; all logic is in AccountTriggerHandler.
 */
trigger AccountTrigger on Account(before insert, before update, after insert, after update) {
    new AccountTriggerHandler().run();
}
