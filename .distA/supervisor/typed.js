export {};
//# sourceMappingURL=typed.js.map