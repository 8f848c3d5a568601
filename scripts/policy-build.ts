console.log("policy build placeholder");
