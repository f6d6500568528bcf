/**
 * @description The only Contact trigger of the package; all logic is in ContactTriggerHandler.
 */
trigger ContactTrigger on Contact(before insert, before update, after insert, after update) {
    new ContactTriggerHandler().run();
}
