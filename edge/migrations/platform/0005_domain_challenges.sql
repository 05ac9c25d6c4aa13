-- Custom domains are verified by a TXT record holding this challenge.
ALTER TABLE domains ADD COLUMN challenge TEXT;
